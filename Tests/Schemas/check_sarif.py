"""`cnnc check --format sarif` against the official SARIF 2.1.0 JSON schema, with Python's jsonschema.

Each log (specs with errors and warnings from several folders, relative paths and absolute ones,
a file name with a space, a clean run) must validate against sarif-schema-2.1.0.json beside this
script (OASIS, see SARIF-SCHEMA-NOTICE.md), URI formats checked. Beyond the schema: one run whose
driver is cnnc with a rule for every code of cnnc's two catalogues, each result the diagnostic
`--format json` reports (code, level, file, line, column), its ruleIndex pointing at its rule,
relative paths against %SRCROOT%, budget errors with their notes, and a clean run with no results.

Usage: python3 Tests/Schemas/check_sarif.py --cnnc PATH [--conformance DIR]
Needs jsonschema with its URI format checkers (jsonschema[format-nongpl]). Ends with 'N passed, N failed'.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

import jsonschema

REPO = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = Path(__file__).resolve().parent / "sarif-schema-2.1.0.json"
CATALOGUES = [REPO / "Sources" / "CNNSpec" / "SpecDiagnostics.swift", REPO / "Sources" / "CNNGraph" / "GraphDiagnostics.swift"]


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failures: list[str] = []

    def expect(self, condition: bool, what: str) -> None:
        if condition:
            self.passed += 1
        else:
            self.failures.append(what)


def run(cnnc: str, form: str, paths: list[str], cwd: Path) -> list | dict:
    result = subprocess.run([cnnc, "check", "--format", form, *paths], capture_output=True, text=True, cwd=cwd)
    if result.returncode not in (0, 1):
        sys.exit(f"cnnc check --format {form} failed ({result.returncode}):\n{result.stderr}")
    return json.loads(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cnnc", required=True)
    parser.add_argument("--conformance", type=Path, default=REPO.parent / "shared" / "conformance")
    arguments = parser.parse_args()
    cnnc = str(Path(arguments.cnnc).resolve())
    checks = Checks()

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    # Every format jsonschema knows: Draft 4's own checker lacks the uri-reference that artifact URIs use.
    validator = validator_class(schema, format_checker=jsonschema.FormatChecker())
    checks.expect(validator.is_valid({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                                                   "results": [{"message": {"text": "m"},
                                                                                "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a b"}}}]}]}]}) is False,
                  "the format checker rejects a URI reference with a space")
    codes = set()
    for catalogue in CATALOGUES:
        codes |= set(re.findall(r'DiagnosticCode\(rawValue: "([a-z-]+)"\)', catalogue.read_text(encoding="utf-8")))

    scratch = Path(tempfile.mkdtemp())
    try:
        spaced = scratch / "my models" / "bad model.yaml"
        spaced.parent.mkdir()
        spaced.write_text("input: {shape: [4]}\nlayers: [{type: dense, units: 0}]\n", encoding="utf-8")
        conformance = sorted(str(p) for p in (arguments.conformance / "specs").glob("*"))
        cases = [
            ("specs/invalid and specs/warnings, relative", REPO, ["specs/invalid", "specs/warnings"]),
            ("the conformance corpus, absolute", REPO, conformance),
            ("a spec with spaces in its path, relative", scratch, ["my models/bad model.yaml"]),
            ("a spec with spaces in its path, absolute", REPO, [str(spaced)]),
            ("budgets from the command line", REPO,
             ["--max-params", "1000", "--max-macs", "1000", "--max-activation-bytes", "1000", "specs/mnist.yaml"]),
            ("a clean run", REPO, ["specs/mnist.yaml", "specs/lenet5.yaml"]),
        ]
        for what, cwd, paths in cases:
            log = run(cnnc, "sarif", paths, cwd)
            diagnostics = run(cnnc, "json", paths, cwd)
            errors = [e.message for e in validator.iter_errors(log)]
            checks.expect(not errors, f"{what}: not valid SARIF 2.1.0: {errors[:3]}")
            checks.expect(log.get("version") == "2.1.0" and log.get("$schema") == "https://json.schemastore.org/sarif-2.1.0.json",
                          f"{what}: version and $schema")
            checks.expect(len(log["runs"]) == 1, f"{what}: one run")
            driver = log["runs"][0]["tool"]["driver"]
            checks.expect(driver["name"] == "cnnc" and driver.get("version") and driver.get("informationUri"),
                          f"{what}: the driver names cnnc, its version and informationUri")
            rules = driver["rules"]
            ids = [rule["id"] for rule in rules]
            checks.expect(sorted(ids) == sorted(codes) and len(set(ids)) == len(ids),
                          f"{what}: one rule per catalogued code: missing {sorted(codes - set(ids))}, extra {sorted(set(ids) - codes)}")
            checks.expect(all(r["shortDescription"]["text"] and r["fullDescription"]["text"]
                              and r["defaultConfiguration"]["level"] in ("error", "warning") for r in rules),
                          f"{what}: every rule has both descriptions and a level")
            results = log["runs"][0]["results"]
            checks.expect(len(results) == len(diagnostics), f"{what}: {len(results)} results for {len(diagnostics)} diagnostics")
            if what == "a clean run":
                checks.expect(results == [], "a clean run has an empty results array")
            for result, diagnostic in zip(results, diagnostics):
                location = result["locations"][0]["physicalLocation"]
                artifact = location["artifactLocation"]
                path = diagnostic["file"]
                if path.startswith("/"):
                    expected = (Path(urllib.parse.unquote(urllib.parse.urlparse(artifact["uri"]).path)) == Path(path)
                                and "uriBaseId" not in artifact)
                else:
                    expected = urllib.parse.unquote(artifact["uri"]) == path and artifact.get("uriBaseId") == "%SRCROOT%"
                checks.expect(expected, f"{what}: {artifact} for {path}")
                checks.expect(result["ruleId"] == diagnostic["code"] and rules[result["ruleIndex"]]["id"] == diagnostic["code"]
                              and result["level"] == diagnostic["severity"], f"{what}: rule and level of {diagnostic}")
                checks.expect(location["region"] == {"startLine": diagnostic["line"], "startColumn": diagnostic["column"]},
                              f"{what}: region of {diagnostic}")
                notes = [f"note: {note['message']}" for note in diagnostic["notes"]]
                checks.expect(result["message"]["text"].split("\n") == [diagnostic["message"]] + notes,
                              f"{what}: message and notes of {diagnostic}")
                related = [n for n in diagnostic["notes"] if "line" in n]
                checks.expect([r["message"]["text"] for r in result.get("relatedLocations", [])] == [n["message"] for n in related],
                              f"{what}: related locations of {diagnostic}")
    finally:
        shutil.rmtree(scratch)

    for failure in checks.failures:
        print(f"FAILED: {failure}")
    print(f"sarif: {checks.passed} passed, {len(checks.failures)} failed")
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
