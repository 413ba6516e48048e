"""Images in article bodies, uploaded to the files bucket with presigned POSTs.

As with finance attachments, the first call reserves the image and returns a
presigned upload, the browser sends the bytes to S3, and the second call
checks the stored object. A body shows the image as
``![alt](image:<article_id>/<image_id>)``; each rendering turns that into a
short-lived download URL for readers of the image's article.
"""

import logging

from pynamodb.exceptions import DoesNotExist

from chalicelib.clock import iso, utc_now
from chalicelib.errors import Conflict, InvalidInput, NotFound
from chalicelib.files import limits, storage
from chalicelib.ids import new_id
from chalicelib.kb.models import Article, Image, article_pk
from chalicelib.kb.schemas import ImageCreate

logger = logging.getLogger(__name__)

IMAGE_CONTENT_TYPES = ("image/png", "image/jpeg", "image/webp")
BATCH_GET_LIMIT = 100


def image_sk(image_id: str) -> str:
    return f"IMAGE#{image_id}"


def get_image(article_id: str, image_id: str) -> Image:
    try:
        return Image.get(
            article_pk(article_id), image_sk(image_id), consistent_read=True
        )
    except DoesNotExist:
        raise NotFound(
            f"Image '{image_id}' of article '{article_id}' not found."
        ) from None


def start_upload(
    article: Article, body: ImageCreate, user_id: str
) -> tuple[Image, dict]:
    file_name = limits.check_file_name(body.file_name)
    content_type = limits.check_content_type(body.content_type)
    if content_type not in IMAGE_CONTENT_TYPES:
        raise InvalidInput(
            f"Invalid field 'content_type': '{content_type}' is not an image type "
            "an article can show; upload PNG, JPEG or WebP.",
            field="content_type",
        )
    size = limits.check_size(body.size)
    image_id = new_id()
    image = Image(
        article_pk(article.article_id),
        image_sk(image_id),
        image_article_id=article.article_id,
        image_id=image_id,
        file_name=file_name,
        content_type=content_type,
        size=size,
        uploaded_by=user_id,
        created_at=utc_now(),
    )
    image.save(condition=Image.sk.does_not_exist())
    upload = storage.presigned_upload(image.storage_key, content_type, size)
    logger.info(
        "kb image reserved article_id=%s image_id=%s size=%d by=%s",
        article.article_id,
        image_id,
        size,
        user_id,
    )
    return image, upload


def complete_upload(article: Article, image_id: str) -> Image:
    image = get_image(article.article_id, image_id)
    if image.status == "uploaded":
        return image
    stored = storage.stored_object(image.storage_key)
    if stored is None:
        raise Conflict(
            "The image has not reached storage yet; upload it to the URL from the "
            "first call, then complete it.",
            field="file",
        )
    if stored.size != int(image.size):
        storage.delete_object(image.storage_key)
        raise InvalidInput(
            f"Invalid field 'size': the upload has {stored.size} bytes but "
            f"{int(image.size)} were declared; start the upload again.",
            field="size",
        )
    if stored.content_type.split(";", 1)[0].strip().lower() != image.content_type:
        storage.delete_object(image.storage_key)
        raise InvalidInput(
            f"Invalid field 'content_type': the upload is '{stored.content_type}' "
            f"but '{image.content_type}' was declared; start the upload again.",
            field="content_type",
        )
    image.update(actions=[Image.status.set("uploaded")])
    return image


def image_markdown(image: Image) -> str:
    return f"![{image.file_name}](image:{image.image_article_id}/{image.image_id})"


def download_urls(references: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Return download URLs of the uploaded images among ``references``.

    The caller passes only images of articles the reader may read.
    """
    keys = sorted(references)
    urls = {}
    for start in range(0, len(keys), BATCH_GET_LIMIT):
        chunk = [
            (article_pk(article_id), image_sk(image_id))
            for article_id, image_id in keys[start : start + BATCH_GET_LIMIT]
        ]
        for image in Image.batch_get(chunk):
            if image.status == "uploaded":
                urls[(image.image_article_id, image.image_id)] = (
                    storage.presigned_download(
                        image.storage_key, image.file_name, image.content_type
                    )
                )
    return urls


def image_json(image: Image) -> dict:
    return {
        "id": image.image_id,
        "article_id": image.image_article_id,
        "file_name": image.file_name,
        "content_type": image.content_type,
        "size": int(image.size),
        "status": image.status,
        "markdown": image_markdown(image),
        "created_at": iso(image.created_at),
    }
