"""Package Shtab for CloudFormation with a pinned, supported Lambda runtime.

Run from the repository root::

    .venv/bin/python -m infra.package --stage dev --out build/package

The output folder gets ``sam.json`` (the Chalice template merged with
``infra/resources.json``) and ``deployment.zip`` (app, chalicelib, the
notification templates and the dependencies from requirements.txt).

Chalice takes the Lambda runtime from the Python that runs it, so packaging
with the project's Python 3.11 would write ``python3.11`` into the template and
put cp311 wheels into the zip. Two things pin ``LAMBDA_RUNTIME`` instead:

- :class:`PinnedRuntimeConfig` overrides ``lambda_python_version``, the one
  property Chalice reads for the template's ``Runtime``, for the wheel ABI it
  accepts (cp313) and for the ``--abi`` it passes to pip.
- Chalice's download of manylinux wheels passes ``--abi`` but not
  ``--python-version``, so pip, running on 3.11, would still find no cp313
  wheel, and Chalice would only warn and ship the zip without pydantic-core.
  :func:`pip_targets` sets pip's own ``PIP_PYTHON_VERSION`` and
  ``PIP_ONLY_BINARY`` for the packaging, so every pip call Chalice makes
  resolves and downloads for 3.13.

:func:`check_package` then reads the result back and fails on any mismatch.
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from email.parser import HeaderParser
from pathlib import Path

from chalice.cli.factory import CLIFactory
from chalice.config import Config
from chalice.deploy.validate import validate_lambda_architecture
from packaging.requirements import Requirement

# cfn-lint's runtime data (LmbdRuntimeLifecycle.json) deprecates python3.13 on
# 2029-06-30, the same day as python3.14. Every binary dependency here ships
# cp313 manylinux wheels.
LAMBDA_RUNTIME = "python3.13"

REPOSITORY = Path(__file__).resolve().parents[1]
MERGE_TEMPLATE = REPOSITORY / "infra" / "resources.json"
TEMPLATE_NAME = "sam.json"
ZIP_NAME = "deployment.zip"

# Files and folders that Chalice packages from the project folder.
PROJECT_FILES = ("app.py", "requirements.txt")
PROJECT_FOLDERS = ("chalicelib", "vendor")
CHALICE_FILES = ("config.json", "policy*.json")

# Matches the ABI part of an extension module name, e.g.
# "_pydantic_core.cpython-313-x86_64-linux-gnu.so".
EXTENSION_ABI = re.compile(r"\.cpython-(\d)(\d+)-[^/]*\.so$")

# Distributions that the Lambda Python runtime provides, so the zip may leave
# them out. The code imports boto3, which requirements.txt does not list.
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer"}


class PinnedRuntimeConfig(Config):
    """A Chalice config whose Lambda runtime is ``LAMBDA_RUNTIME``.

    ``Config.scope`` clones through ``self.__class__``, so every per-function
    config Chalice derives from this one keeps the pinned runtime.
    """

    @classmethod
    def from_config(cls, config: Config) -> "PinnedRuntimeConfig":
        # Config has no public copy method besides scope(), which keeps the
        # original class, so this subclass copies its base class's state.
        return cls(
            chalice_stage=config.chalice_stage,
            function_name=config.function_name,
            user_provided_params=config._user_provided_params,
            config_from_disk=config._config_from_disk,
            default_params=config._default_params,
            layers=config._layers,
        )

    @property
    def lambda_python_version(self) -> str:
        return LAMBDA_RUNTIME


def python_version(runtime: str) -> str:
    """Return the Python version of a Lambda runtime: "python3.13" -> "3.13"."""
    return runtime.removeprefix("python")


@contextlib.contextmanager
def pip_targets(version: str) -> Iterator[None]:
    """Make every pip call in this process's children resolve for ``version``.

    pip reads any option from a PIP_<OPTION> variable. ``--python-version``
    requires ``--only-binary=:all:`` because pip cannot build an sdist for
    another Python: a wheel built here would be for this machine's Python.
    """
    settings = {"PIP_PYTHON_VERSION": version, "PIP_ONLY_BINARY": ":all:"}
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def stage_project(destination: Path) -> None:
    """Copy what Chalice packages into ``destination``, templates included.

    Packaging a copy keeps the work tree untouched (no vendor/templates, no
    .chalice/deployments cache) and lets two packagings run side by side.
    Chalice puts the contents of vendor/ at the root of the zip, which is
    where chalicelib/notifications/render.py looks for templates/.
    """
    ignore_caches = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PROJECT_FILES:
        shutil.copy2(REPOSITORY / name, destination / name)
    for name in PROJECT_FOLDERS:
        source = REPOSITORY / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore_caches)
    chalice_folder = destination / ".chalice"
    chalice_folder.mkdir()
    for pattern in CHALICE_FILES:
        for source in (REPOSITORY / ".chalice").glob(pattern):
            shutil.copy2(source, chalice_folder / source.name)
    vendored_templates = destination / "vendor" / "templates"
    if vendored_templates.exists():
        shutil.rmtree(vendored_templates)
    shutil.copytree(REPOSITORY / "templates", vendored_templates, ignore=ignore_caches)


def stage_merge_template(stage: str, destination: Path) -> Path:
    """Write infra/resources.json with its Stage parameter fixed to ``stage``.

    The functions' table prefix comes from the Chalice stage packaged, so a dev
    package deployed with Stage=prod would serve prod's API from dev's tables;
    allowing only the packaged stage makes CloudFormation reject that.
    """
    template = json.loads(MERGE_TEMPLATE.read_text())
    template["Parameters"]["Stage"]["Default"] = stage
    template["Parameters"]["Stage"]["AllowedValues"] = [stage]
    path = destination / MERGE_TEMPLATE.name
    path.write_text(json.dumps(template, indent=2))
    return path


def package(stage: str, out: Path) -> None:
    """Write sam.json and deployment.zip for ``stage`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="shtab-package-") as staging:
        project = Path(staging) / "project"
        project.mkdir()
        stage_project(project)
        merge_template = stage_merge_template(stage, Path(staging))
        factory = CLIFactory(project_dir=str(project), environ=os.environ)
        config = PinnedRuntimeConfig.from_config(factory.create_config_obj(stage))
        validate_lambda_architecture(config)
        packager = factory.create_app_packager(
            config,
            factory.create_package_options(),
            "cloudformation",
            "json",
            merge_template=str(merge_template),
        )
        with pip_targets(python_version(LAMBDA_RUNTIME)):
            packager.package_app(config, str(out), stage)
    check_package(out)


def check_package(out: Path) -> None:
    """Fail when the package does not match the pinned runtime or lacks parts.

    Chalice only prints a warning when a dependency has no wheel for the
    target runtime, so a broken zip would otherwise pass unnoticed.
    """
    template = json.loads((out / TEMPLATE_NAME).read_text())
    runtimes = {
        name: resource["Properties"].get("Runtime")
        for name, resource in template["Resources"].items()
        if resource["Type"] in ("AWS::Serverless::Function", "AWS::Lambda::Function")
    }
    wrong_runtimes = {
        name: value for name, value in runtimes.items() if value != LAMBDA_RUNTIME
    }
    if not runtimes or wrong_runtimes:
        raise SystemExit(
            f"functions without runtime {LAMBDA_RUNTIME}: {wrong_runtimes}"
        )

    with zipfile.ZipFile(out / ZIP_NAME) as archive:
        names = archive.namelist()
        metadata = {
            name: archive.read(name).decode()
            for name in names
            if name.count("/") == 1 and name.endswith(".dist-info/METADATA")
        }
    runtime_tag = python_version(LAMBDA_RUNTIME).replace(".", "")
    foreign_extensions = [
        name
        for name in names
        if (match := EXTENSION_ABI.search(name))
        and "".join(match.groups()) != runtime_tag
    ]
    if foreign_extensions:
        raise SystemExit(f"extensions built for another Python: {foreign_extensions}")
    missing = missing_distributions(metadata, python_version(LAMBDA_RUNTIME))
    if missing:
        raise SystemExit(f"dependencies missing from {ZIP_NAME}: {missing}")
    if "templates/notifications/ru/task_assigned.txt.j2" not in names:
        raise SystemExit(f"notification templates missing from {ZIP_NAME}")


def normalize(name: str) -> str:
    """Normalize a distribution name as PEP 503 does."""
    return re.sub(r"[-_.]+", "-", name).lower()


def missing_distributions(metadata: dict[str, str], version: str) -> list[str]:
    """Return the distributions that are required but missing from the zip.

    Requirements come from requirements.txt and from the Requires-Dist entries
    in ``metadata``, which maps each packaged ``*.dist-info/METADATA`` path to
    its text. Markers are evaluated for Linux CPython ``version``.
    """
    environment = {
        "python_version": version,
        "python_full_version": f"{version}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "extra": "",
    }
    installed = {normalize(path.split("-", 1)[0]) for path in metadata}
    requirements = []
    for line in (REPOSITORY / "requirements.txt").read_text().splitlines():
        text = line.split("#", 1)[0].strip()
        if text and not text.startswith("-"):
            requirements.append(Requirement(text))
    for text in metadata.values():
        requirements.extend(
            Requirement(value)
            for value in HeaderParser().parsestr(text).get_all("Requires-Dist") or []
        )
    return sorted(
        {
            normalize(requirement.name)
            for requirement in requirements
            if requirement.marker is None or requirement.marker.evaluate(environment)
        }
        - installed
        - RUNTIME_PROVIDED
    )


def configured_stages() -> list[str]:
    config = json.loads((REPOSITORY / ".chalice" / "config.json").read_text())
    return sorted(config.get("stages", {}))


def main(arguments: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True, choices=configured_stages())
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    options = parser.parse_args(arguments)
    # Chalice needs a region to build its AWS client. The region only selects
    # service principals and DNS suffixes, which are the same in every region
    # of the aws partition, and the template itself uses AWS::Region.
    if not (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")):
        os.environ["AWS_DEFAULT_REGION"] = "eu-central-1"
    package(options.stage, options.out.resolve())
    print(f"packaged stage {options.stage} for {LAMBDA_RUNTIME} into {options.out}")


if __name__ == "__main__":
    sys.exit(main())
