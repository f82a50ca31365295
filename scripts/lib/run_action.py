#!/usr/bin/env python3
"""Runs a composite GitHub Action's steps as a workflow runner would, for tests.

usage: run_action.py ACTION_DIR [--input NAME=VALUE]...

Reads ACTION_DIR/action.yml, fills `${{ inputs.* }}` (the given values, else the defaults),
`${{ github.* }}`, `${{ runner.* }}`, `${{ env.* }}` and `${{ steps.<id>.outputs.* }}`, and runs each
`run:` step with `bash --noprofile --norc -eo pipefail`, as GitHub does for `shell: bash`. Each step
gets GITHUB_ACTION_PATH and a GITHUB_OUTPUT file of its own; GITHUB_ENV and GITHUB_PATH lines
carry over to later steps. The action's `outputs:` are written to the caller's $GITHUB_OUTPUT (as
the workflow step's outputs), also when a step fails; the exit code is the failed step's.
Anything the runner does not know (another shell, `uses:` steps, `if:`, expressions other than
plain references) is an error rather than silently different from GitHub.
"""
import os
import re
import subprocess
import sys
import tempfile

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def read_outputs(path):
    """A GITHUB_OUTPUT / GITHUB_ENV file: NAME=VALUE lines and NAME<<DELIMITER blocks."""
    values = {}
    if not os.path.exists(path):
        return values
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            while index < len(lines) and lines[index] != delimiter:
                body.append(lines[index])
                index += 1
            index += 1
            values[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def main():
    action_dir = os.path.abspath(sys.argv[1])
    given = {}
    arguments = sys.argv[2:]
    while arguments:
        flag = arguments.pop(0)
        if flag != "--input" or not arguments or "=" not in arguments[0]:
            sys.exit(f"usage: run_action.py ACTION_DIR [--input NAME=VALUE]... (not {flag!r})")
        name, value = arguments.pop(0).split("=", 1)
        given[name] = value

    with open(os.path.join(action_dir, "action.yml"), encoding="utf-8") as handle:
        action = yaml.safe_load(handle)
    if action["runs"]["using"] != "composite":
        sys.exit("only composite actions run here")
    declared = action.get("inputs", {})
    unknown = set(given) - set(declared)
    if unknown:
        sys.exit(f"unknown inputs: {', '.join(sorted(unknown))}")
    inputs = {}
    for name, spec in declared.items():
        if name in given:
            inputs[name] = given[name]
        elif spec.get("required") and "default" not in spec:
            sys.exit(f"input {name} is required")
        else:
            inputs[name] = str(spec.get("default", ""))

    environment = dict(os.environ)
    temp = environment.setdefault("RUNNER_TEMP", tempfile.mkdtemp())
    environment["GITHUB_ACTION_PATH"] = action_dir
    environment.setdefault("GITHUB_ENV", os.path.join(temp, "github-env"))
    environment.setdefault("GITHUB_PATH", os.path.join(temp, "github-path"))
    caller_output = environment.get("GITHUB_OUTPUT")
    steps = {}

    def substitute(text):
        def value(match):
            parts = match.group(1).split(".")
            if parts[0] == "inputs" and len(parts) == 2:
                return inputs[parts[1]]
            if parts[0] == "github" and len(parts) == 2:
                return action_dir if parts[1] == "action_path" else environment.get("GITHUB_" + parts[1].upper(), "")
            if parts[0] == "runner" and len(parts) == 2:
                return environment.get("RUNNER_" + parts[1].upper(), "")
            if parts[0] == "env" and len(parts) == 2:
                return environment.get(parts[1], "")
            if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
                return steps.get(parts[1], {}).get(parts[3], "")
            sys.exit(f"the runner does not evaluate ${{{{ {match.group(1)} }}}}")
        return EXPRESSION.sub(value, str(text))

    status = 0
    for number, step in enumerate(action["runs"]["steps"]):
        if set(step) - {"id", "name", "shell", "run", "env", "working-directory"}:
            sys.exit(f"step {number}: the runner runs only `run:` steps without `if:`")
        if step.get("shell") != "bash":
            sys.exit(f"step {number}: the runner runs only `shell: bash` steps")
        step_environment = dict(environment)
        step_environment.update(read_outputs(environment["GITHUB_ENV"]))
        if os.path.exists(environment["GITHUB_PATH"]):
            with open(environment["GITHUB_PATH"], encoding="utf-8") as handle:
                added = [line for line in handle.read().split("\n") if line]
            step_environment["PATH"] = os.pathsep.join(list(reversed(added)) + [environment["PATH"]])
        for name, value in (step.get("env") or {}).items():
            step_environment[name] = substitute(value)
        output = tempfile.NamedTemporaryFile(dir=temp, prefix="step-output-", delete=False)
        output.close()
        step_environment["GITHUB_OUTPUT"] = output.name
        with tempfile.NamedTemporaryFile("w", dir=temp, suffix=".sh", delete=False) as script:
            script.write(substitute(step["run"]))
        status = subprocess.call(["bash", "--noprofile", "--norc", "-eo", "pipefail", script.name],
                                 env=step_environment, cwd=step.get("working-directory"))
        steps[step.get("id", f"__{number}")] = read_outputs(output.name)
        if status != 0:
            break

    if caller_output:
        with open(caller_output, "a", encoding="utf-8") as handle:
            for name, spec in (action.get("outputs") or {}).items():
                value = substitute(spec["value"])
                delimiter = "ghadelimiter_runner"
                handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n" if "\n" in value else f"{name}={value}\n")
    sys.exit(status)


if __name__ == "__main__":
    main()
