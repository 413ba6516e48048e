"""Packages the app as CloudFormation and checks what would be deployed.

``infra/package.py`` runs once for the module; its template is linted with
cfn-lint and read back together with the deployment zip. Nothing here talks to
AWS: the only network traffic is pip downloading wheels from PyPI.
"""

import importlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from chalice.utils import to_cfn_resource_name

from infra.package import LAMBDA_RUNTIME, REPOSITORY, TEMPLATE_NAME, ZIP_NAME

pytestmark = pytest.mark.packaging

STAGE = "dev"
PINNED_VERSION = LAMBDA_RUNTIME.removeprefix("python")
PINNED_TAG = PINNED_VERSION.replace(".", "")
DUMMY_SECRET = "packaging-test-secret-0123456789abcdefgh"

# cfn-lint rules this project ignores, each with its reason. None so far: the
# packaged template passes cfn-lint's default errors and warnings as it is.
IGNORED_CHECKS: dict[str, str] = {}

# Every PynamoDB model by module. Each must match a table in the template.
MODELS = {
    "chalicelib.people.models": ("User",),
    "chalicelib.org.models": ("Department", "Position", "AppliedTemplate"),
    "chalicelib.chat.models": ("Channel", "Member", "Message", "ChannelKey"),
    "chalicelib.chat.attachment_models": ("ChatAttachment",),
    "chalicelib.chat.thread_models": (
        "Sequence",
        "MessageRef",
        "ReadState",
        "ThreadFollow",
    ),
    "chalicelib.tasks.models": ("Task", "Comment", "HistoryEntry", "ViewRow"),
    "chalicelib.tasks.importing.placeholder_models": (
        "ImportPlaceholder",
        "PlaceholderTask",
    ),
    "chalicelib.tasks.series_models": ("TaskSeries", "OccurrenceKey"),
    "chalicelib.processes.models": ("ProcessTemplate", "Launch", "LaunchKey"),
    "chalicelib.weeks.models": ("WeekPlan", "WeekNotes"),
    "chalicelib.chat.connections": ("Connection", "UserConnections"),
    "chalicelib.chat.pins": ("Pin", "PinCount"),
    "chalicelib.integrations.hooks": ("Hook", "HookDeliveryClaim", "HookDelivery"),
    "chalicelib.integrations.tokens": ("ApiToken",),
    "chalicelib.integrations.subscriptions": ("Subscription",),
    "chalicelib.integrations.delivery_attempts": ("Delivery", "DeadLetter"),
    "chalicelib.streams.dead_letters": ("StreamDeadLetter",),
    "chalicelib.integrations.telegram_bridge": (
        "TelegramBot",
        "TelegramLink",
        "TelegramLinkCode",
    ),
    "chalicelib.integrations.telegram_delivery": ("TelegramSent",),
    "chalicelib.imports.models": ("ImportJob",),
    "chalicelib.chat.search_index": ("MessageTerm",),
    "chalicelib.auth.models": ("LoginThrottle", "BootstrapMarker", "EmailClaim"),
    "chalicelib.kb.models": (
        "Section",
        "Article",
        "Revision",
        "ConflictCopy",
        "Receipt",
        "Image",
        "Term",
        "Link",
        "SeedMarker",
    ),
    "chalicelib.kb.authoring_models": (
        "Assignment",
        "AssignmentLink",
        "ReviewReminder",
    ),
    "chalicelib.kb.course_models": (
        "Question",
        "QuestionVersion",
        "Course",
        "Enrolment",
        "ArticleState",
        "Attempt",
        "GradingEntry",
        "CourseNotice",
    ),
    "chalicelib.finance.models": (
        "FinanceRequest",
        "HistoryEntry",
        "Attachment",
        "Category",
        "CategoryTemplate",
        "FinanceSettings",
    ),
}
FUNCTION_TYPE = "AWS::Serverless::Function"
TABLE_NAME = re.compile(r"^shtab-\$\{Stage\}-(?P<name>[a-z]+)$")


@pytest.fixture(scope="module")
def package_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("package")
    # As `make package` runs it: the tests' own SHTAB_* settings stay out.
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("SHTAB_")
    }
    result = subprocess.run(
        [sys.executable, "-m", "infra.package", "--stage", STAGE, "--out", str(out)],
        check=False,
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="module")
def template(package_folder) -> dict:
    return json.loads((package_folder / TEMPLATE_NAME).read_text())


@pytest.fixture(scope="module")
def zip_names(package_folder) -> list[str]:
    with zipfile.ZipFile(package_folder / ZIP_NAME) as archive:
        return archive.namelist()


@pytest.fixture(scope="module")
def settings() -> None:
    # chalicelib reads its settings at import, and tests/conftest.py sets them
    # for the suite. setdefault keeps those values for the other tests.
    os.environ.setdefault("SHTAB_TOKEN_SECRET", DUMMY_SECRET)
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")


@pytest.fixture(scope="module")
def application(settings):
    return importlib.import_module("app")


@pytest.fixture(scope="module")
def models(settings) -> list[type]:
    found = []
    for module_name, class_names in MODELS.items():
        module = importlib.import_module(module_name)
        found.extend(getattr(module, name) for name in class_names)
    return found


def resources_of_type(template: dict, resource_type: str) -> dict[str, dict]:
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def tables_by_name(template: dict) -> dict[str, tuple[str, dict]]:
    """Map each table's short name ("users") to its logical id and properties."""
    tables = {}
    for logical_id, resource in resources_of_type(
        template, "AWS::DynamoDB::Table"
    ).items():
        match = TABLE_NAME.match(resource["Properties"]["TableName"]["Fn::Sub"])
        assert match, f"{logical_id} is not named shtab-${{Stage}}-<name>"
        tables[match["name"]] = (logical_id, resource["Properties"])
    return tables


def policies_of_role(template: dict, role: str) -> list[dict]:
    """Statements of every managed policy attached to ``role`` in the template."""
    statements = []
    for policy in resources_of_type(template, "AWS::IAM::ManagedPolicy").values():
        if {"Ref": role} in policy["Properties"].get("Roles", []):
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def granted(statements: list[dict], action: str) -> list:
    """Every resource that ``statements`` allow ``action`` on."""
    resources = []
    for statement in statements:
        actions = statement["Action"]
        actions = [actions] if isinstance(actions, str) else actions
        if statement["Effect"] == "Allow" and action in actions:
            listed = statement["Resource"]
            resources.extend(listed if isinstance(listed, list) else [listed])
    return resources


def role_of(function: dict) -> str:
    return function["Properties"]["Role"]["Fn::GetAtt"][0]


def test_cfn_lint_reports_nothing(package_folder):
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    assert cfn_lint.exists(), f"cfn-lint is not installed next to {sys.executable}"
    command = [str(cfn_lint), "--format", "parseable"]
    if IGNORED_CHECKS:
        command += ["--ignore-checks", *IGNORED_CHECKS]
    result = subprocess.run(
        [*command, "--", str(package_folder / TEMPLATE_NAME)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_every_function_runs_the_pinned_runtime(template):
    assert LAMBDA_RUNTIME in ("python3.12", "python3.13")
    functions = resources_of_type(template, FUNCTION_TYPE)
    assert len(functions) >= 9
    runtimes = {
        name: function["Properties"]["Runtime"] for name, function in functions.items()
    }
    assert set(runtimes.values()) == {LAMBDA_RUNTIME}, runtimes


def test_stage_parameter_is_fixed_to_the_packaged_stage(template):
    stage = template["Parameters"]["Stage"]
    assert stage["Default"] == STAGE
    assert stage["AllowedValues"] == [STAGE]


def test_every_stream_reaction_has_a_bounded_mapping(template, application):
    tables = tables_by_name(template)
    functions = resources_of_type(template, FUNCTION_TYPE)
    mappings = resources_of_type(template, "AWS::Lambda::EventSourceMapping")
    queues = resources_of_type(template, "AWS::SQS::Queue")

    assert len(mappings) == len(application.STREAM_REACTIONS)
    # A reaction's Lambda handler is "app.<module attribute>", and the logical
    # id of its function comes from the function's name.
    names_by_handler = {
        function.handler_string: function.name
        for function in application.app.pure_lambda_functions
    }
    for table_name, reaction in application.STREAM_REACTIONS.items():
        attribute = next(
            name for name, value in vars(application).items() if value is reaction
        )
        function_id = to_cfn_resource_name(names_by_handler[f"app.{attribute}"])
        table_id, table = tables[table_name]
        assert function_id in functions
        assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        stream = {"Fn::GetAtt": [table_id, "StreamArn"]}
        found = [
            mapping["Properties"]
            for mapping in mappings.values()
            if mapping["Properties"]["FunctionName"] == {"Ref": function_id}
        ]
        assert len(found) == 1, f"{function_id} needs exactly one mapping"
        mapping = found[0]
        assert mapping["EventSourceArn"] == stream
        assert mapping["StartingPosition"] in ("LATEST", "TRIM_HORIZON")
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["BisectBatchOnFunctionError"] is True
        # -1 means "retry until the record expires". Lambda allows up to 10000.
        assert 0 <= mapping["MaximumRetryAttempts"] <= 10
        assert 60 <= mapping["MaximumRecordAgeInSeconds"] <= 24 * 60 * 60
        assert 1 <= mapping["BatchSize"] <= 100
        assert 0 <= mapping["MaximumBatchingWindowInSeconds"] <= 5

        queue_id = mapping["DestinationConfig"]["OnFailure"]["Destination"][
            "Fn::GetAtt"
        ][0]
        queue = queues[queue_id]["Properties"]
        assert queue["MessageRetentionPeriod"] == 14 * 24 * 60 * 60
        assert queue["SqsManagedSseEnabled"] is True

        statements = policies_of_role(template, role_of(functions[function_id]))
        assert stream in granted(statements, "dynamodb:GetRecords")
        assert {"Fn::GetAtt": [queue_id, "Arn"]} in granted(
            statements, "sqs:SendMessage"
        )


def test_every_function_can_use_every_table(template):
    tables = tables_by_name(template)
    for name, function in resources_of_type(template, FUNCTION_TYPE).items():
        statements = policies_of_role(template, role_of(function))
        for action in ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"):
            resources = granted(statements, action)
            for table_id, _ in tables.values():
                assert {"Fn::GetAtt": [table_id, "Arn"]} in resources, (name, action)
                index = {"Fn::Sub": f"${{{table_id}.Arn}}/index/*"}
                assert index in resources, (name, action)


def test_secrets_come_from_secrets_manager(template):
    config_text = (REPOSITORY / ".chalice" / "config.json").read_text()
    for variable in ("SHTAB_TOKEN_SECRET", "ADMIN_EMAIL", "ADMIN_PASSWORD"):
        assert variable not in config_text
    functions = resources_of_type(template, FUNCTION_TYPE)
    for name in ("APIHandler", "BearerAuthorizer", "WebsocketConnect"):
        variables = functions[name]["Properties"]["Environment"]["Variables"]
        reference = variables["SHTAB_TOKEN_SECRET"]["Fn::Sub"]
        assert reference.startswith("{{resolve:secretsmanager:shtab/${Stage}/")
    for name, function in functions.items():
        if name != "BearerAuthorizer":
            variables = function["Properties"]["Environment"]["Variables"]
            assert variables["SHTAB_WEBSOCKET_API_ID"] == {"Ref": "WebsocketAPI"}, name


def test_files_bucket_is_private_and_named_to_api(template):
    bucket = template["Resources"]["FilesBucket"]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    methods = bucket["CorsConfiguration"]["CorsRules"][0]["AllowedMethods"]
    assert sorted(methods) == ["GET", "POST"]
    variables = template["Resources"]["APIHandler"]["Properties"]["Environment"]
    assert variables["Variables"]["SHTAB_FILES_BUCKET"] == {"Ref": "FilesBucket"}
    policy = template["Resources"]["FileAccessPolicy"]["Properties"]
    # The chat reaction runs import jobs, which read and delete their archives.
    assert policy["Roles"] == [
        {"Ref": "ApiHandlerRole"},
        {"Ref": "DeliveryReactionsRole"},
    ]


def test_frontend_bucket_is_private_and_served_by_cloudfront(template):
    outputs = template["Outputs"]
    for output in ("HttpApiUrl", "WebsocketUrl", "FrontendBucketName", "FrontendUrl"):
        assert output in outputs
    buckets = resources_of_type(template, "AWS::S3::Bucket")
    assert sorted(buckets) == ["FilesBucket", "FrontendBucket"]
    bucket = buckets["FrontendBucket"]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    distribution = template["Resources"]["FrontendDistribution"]["Properties"]
    config = distribution["DistributionConfig"]
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    assert "OriginAccessControlId" in origins["frontend"]
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == "frontend"

    # The page calls relative /api/... URLs and opens /ws (frontend/src), and
    # the app sets no CORS headers: both must reach it through this origin.
    behaviors = {
        behavior["PathPattern"]: behavior for behavior in config["CacheBehaviors"]
    }
    api_stage = json.loads((REPOSITORY / ".chalice" / "config.json").read_text())[
        "api_gateway_stage"
    ]
    api_origin = origins[behaviors["/api/*"]["TargetOriginId"]]
    assert api_origin["OriginPath"] == f"/{api_stage}"
    assert "${RestAPI}" in api_origin["DomainName"]["Fn::Sub"]
    websocket_origin = origins[behaviors["/ws"]["TargetOriginId"]]
    assert "${WebsocketAPI}" in websocket_origin["DomainName"]["Fn::Sub"]
    assert behaviors["/ws"]["FunctionAssociations"]


def test_zip_has_templates_and_pinned_binaries(zip_names):
    assert "templates/notifications/ru/task_assigned.txt.j2" in zip_names
    assert "app.py" in zip_names
    pydantic_binaries = [
        name
        for name in zip_names
        if name.startswith("pydantic_core/") and name.endswith(".so")
    ]
    assert pydantic_binaries, "pydantic_core has no compiled module in the zip"
    for name in pydantic_binaries:
        assert f".cpython-{PINNED_TAG}-x86_64-linux-gnu.so" in name, name
    foreign = [
        name
        for name in zip_names
        if re.search(r"\.cpython-\d+-", name) and f".cpython-{PINNED_TAG}-" not in name
    ]
    assert foreign == []


def test_every_model_is_checked(application, models):
    from pynamodb.models import Model

    def subclasses(base: type) -> set[type]:
        found = set(base.__subclasses__())
        for subclass in list(found):
            found |= subclasses(subclass)
        return found

    defined = {
        model
        for model in subclasses(Model)
        if model.__module__.startswith("chalicelib.")
    }
    assert defined == set(models), "add the new model to MODELS"


def sorted_keys(key_schema: list[dict]) -> list[tuple[str, str]]:
    return sorted((key["KeyType"], key["AttributeName"]) for key in key_schema)


def test_tables_match_the_models(template, models):
    """Compare each table with the schema PynamoDB would create for its models."""
    from chalicelib.config import get_settings

    prefix = get_settings().table_prefix
    tables = tables_by_name(template)
    models_by_table: dict[str, list[type]] = {}
    for model in models:
        name = model.Meta.table_name.removeprefix(prefix)
        assert name in tables, f"{model.__name__}: no table {name} in the template"
        models_by_table.setdefault(name, []).append(model)

    for name, table_models in models_by_table.items():
        logical_id, table = tables[name]
        types = {
            attribute["AttributeName"]: attribute["AttributeType"]
            for attribute in table["AttributeDefinitions"]
        }
        indexes = {
            index["IndexName"]: index
            for index in table.get("GlobalSecondaryIndexes", [])
        }
        used_indexes = set()
        for model in table_models:
            schema = model._get_schema()
            assert sorted_keys(table["KeySchema"]) == sorted_keys(
                schema["key_schema"]
            ), model.__name__
            for attribute in schema["attribute_definitions"]:
                assert (
                    types.get(attribute["AttributeName"]) == attribute["AttributeType"]
                ), (
                    model.__name__,
                    attribute["AttributeName"],
                )
            for index in schema["global_secondary_indexes"]:
                index_name = index["index_name"]
                used_indexes.add(index_name)
                assert index_name in indexes, (
                    f"{model.__name__}: {index_name} not in {logical_id}"
                )
                declared = indexes[index_name]
                assert sorted_keys(declared["KeySchema"]) == sorted_keys(
                    index["key_schema"]
                ), index_name
                assert declared["Projection"] == index["projection"], index_name
            assert not schema.get("local_secondary_indexes"), model.__name__
        assert set(indexes) == used_indexes, f"{logical_id} has an index no model uses"
        assert "LocalSecondaryIndexes" not in table

        time_to_live = table.get("TimeToLiveSpecification")
        if time_to_live:
            attribute = time_to_live["AttributeName"]
            expiring = [
                model.get_attributes()[attribute]
                for model in table_models
                if attribute in model.get_attributes()
            ]
            assert expiring, f"{logical_id}: no model sets {attribute}"
            assert {expiry.attr_type for expiry in expiring} == {"N"}, logical_id


def test_idempotency_table_matches_powertools(template):
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    defaults = inspect.signature(DynamoDBPersistenceLayer.__init__).parameters
    _, table = tables_by_name(template)["idempotency"]
    assert sorted_keys(table["KeySchema"]) == [("HASH", defaults["key_attr"].default)]
    assert table["TimeToLiveSpecification"]["AttributeName"] == (
        defaults["expiry_attr"].default
    )


# Tables with a TTL attribute, and the items that set it. In every other
# table, items stay until the code deletes them.
EXPIRING_TABLES = {
    "connections": "WebSocket connections, which end with their socket",
    "auth": "failed sign-in counters, kept for the throttle window",
    "idempotency": "Powertools idempotency records, kept for their expiry window",
    # NOTE: this table also keeps durable items (hooks, subscriptions, active
    # API tokens, Telegram bots and links), which never set expires_at.
    "integrations": "revoked API tokens, finished webhook deliveries, delivery "
    "claims, Telegram sent markers and link codes, after their retention",
    # Parked stream records in this table have no expires_at and stay.
    "deadletters": "failure counters of stream records that were handled on a "
    "retry, two days after their last failure",
}


def test_tables_are_recoverable_and_protected(template):
    tables = tables_by_name(template)
    resources = resources_of_type(template, "AWS::DynamoDB::Table")
    assert set(EXPIRING_TABLES) <= set(tables)
    for name, (logical_id, table) in tables.items():
        recovery = table.get("PointInTimeRecoverySpecification", {})
        assert recovery.get("PointInTimeRecoveryEnabled") is True, logical_id
        assert table.get("DeletionProtectionEnabled") is True, logical_id
        assert resources[logical_id]["DeletionPolicy"] == "Retain", logical_id
        assert resources[logical_id]["UpdateReplacePolicy"] == "Retain", logical_id

        time_to_live = table.get("TimeToLiveSpecification")
        if name in EXPIRING_TABLES:
            assert time_to_live is not None, f"{logical_id} has no TTL to justify"
            assert time_to_live["Enabled"] is True, logical_id
        else:
            assert time_to_live is None, (
                f"{logical_id} expires items through TTL; add it to EXPIRING_TABLES "
                "with the items that expire only if they are ephemeral"
            )


def test_gateway_errors_carry_cors(template):
    """API Gateway's own errors (bad token, throttling, its 5xx) reach the
    browser with the same CORS headers as the app's responses."""
    api = template["Resources"]["RestAPI"]
    assert api["Type"] == "AWS::Serverless::Api"
    responses = api["Properties"]["GatewayResponses"]
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "ACCESS_DENIED"):
        headers = responses[kind]["ResponseParameters"]["Headers"]
        assert headers["Access-Control-Allow-Origin"] == "'*'", kind
        assert "Authorization" in headers["Access-Control-Allow-Headers"], kind
        template_text = responses[kind]["ResponseTemplates"]["application/json"]
        assert '"error"' in template_text, kind


def pinned_interpreter() -> str | None:
    """Find a CPython of the pinned version on this machine, if there is one."""
    name = f"python{PINNED_VERSION}"
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [shutil.which(name)]
    candidates += sorted(
        str(path) for path in pyenv_root.glob(f"versions/*/bin/{name}")
    )
    for candidate in filter(None, candidates):
        result = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            check=False,
            capture_output=True,
            text=True,
            timeout=30,
        )
        if result.returncode == 0 and result.stdout.strip() == PINNED_VERSION:
            return candidate
    return None


def test_zip_imports_on_pinned_python(package_folder, tmp_path):
    interpreter = pinned_interpreter()
    if interpreter is None:
        pytest.skip(f"no Python {PINNED_VERSION} here to import the zip with")

    task = tmp_path / "task"
    with zipfile.ZipFile(package_folder / ZIP_NAME) as archive:
        archive.extractall(task)

    # The Lambda runtime provides boto3, after the zip on the path. This
    # environment's pure-Python copy stands in for it.
    runtime = tmp_path / "runtime"
    for name in ("boto3", "s3transfer"):
        module = importlib.import_module(name)
        shutil.copytree(Path(module.__file__).parent, runtime / name)

    expected_version = tuple(int(part) for part in PINNED_VERSION.split("."))
    check = "\n".join(
        (
            "import sys",
            f"sys.path[:0] = [{str(task)!r}, {str(runtime)!r}]",
            "import pydantic_core, app",
            f"assert sys.version_info[:2] == {expected_version}",
            f"assert pydantic_core.__file__.startswith({str(task)!r})",
            "assert sorted(app.STREAM_REACTIONS) == "
            "['chat', 'finance', 'kb', 'org', 'tasks', 'users']",
        )
    )
    # -I keeps this machine's site-packages and PYTHON* variables out.
    result = subprocess.run(
        [interpreter, "-I", "-c", check],
        check=False,
        cwd=task,
        env={
            "PATH": os.environ.get("PATH", ""),
            "SHTAB_TOKEN_SECRET": DUMMY_SECRET,
            "AWS_DEFAULT_REGION": "eu-central-1",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
