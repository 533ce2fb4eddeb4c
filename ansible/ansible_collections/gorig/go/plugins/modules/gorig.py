#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) the gorig authors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: gorig
short_description: Make a host what its gorig.yaml says (Go toolchains, default, files, units)
description:
  - Runs C(gorig apply -f CONFIG --json) on the target, which installs and removes Go
    toolchains, switches the default, and writes the files and systemd units that
    C(config) describes, then checks the contract (doctor findings that must be ok).
  - In check mode it runs C(gorig plan -f CONFIG --json) instead, which never changes
    the host, and reports what apply would do.
  - With C(--diff), files and units show as before/after texts, and the other changes
    (installs, removals, default switches, reloads) as a list of what gorig does.
  - The gorig binary must already be on the target; the role C(gorig.go.gorig)
    installs it and writes gorig.yaml from inventory.
version_added: "0.1.0"
author:
  - gorig maintainers (@gorig)
requirements:
  - gorig with the C(plan) and C(apply) commands, on the target.
  - Python 3.6 or newer on the target.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Check mode runs C(gorig plan), which reads the host and changes nothing.
  diff_mode:
    support: full
  platform:
    platforms: posix
    details: gorig runs on Linux only.
options:
  config:
    description:
      - Path of the gorig.yaml on the target.
      - Relative C(include) entries in it are read relative to its directory.
    type: path
    required: true
  env:
    description:
      - Name of an environment in C(config) (a key of its C(environments)) whose
        settings are laid over the top-level ones; passed as C(--env).
    type: str
  groups:
    description:
      - Groups the host is in; each is passed as C(--group), which adds the
        toolchains C(groups) in C(config) lists for it. Names C(config) does not
        list add nothing, so C(group_names) can be given as it is.
    type: list
    elements: str
    default: []
  root:
    description:
      - Directory that gorig treats as the host's C(/) (C(--root)), e.g. an image
        or a container's root file system being prepared.
    type: path
  home:
    description:
      - The store of toolchains in user mode; sets C(GORIG_HOME).
      - Wins over a C(GORIG_HOME) given in C(environment).
    type: path
  binary:
    description:
      - Path of the gorig binary on the target.
      - By default C(gorig) is looked up on C(PATH), then in C(/usr/local/bin).
    type: path
  environment:
    description:
      - Extra environment variables for gorig, on top of the module's own, for
        example the variables that C(${VAR}) in C(config) refers to, or
        C(GORIG_MIRROR) and C(GORIG_CACHE_DIR).
      - gorig runs with C(LANG=C) and C(LC_ALL=C) unless given here.
      - Values are not hidden from the output; use C(no_log) on the task for secrets.
    type: dict
    default: {}
notes:
  - C(changed) is gorig's own verdict, so a second run of the same gorig.yaml
    reports no change.
  - When the contract is not met after apply (gorig exits 14), the task fails and
    names the failing findings; the changes made are still reported.
seealso:
  - module: gorig.go.gorig_facts
"""

EXAMPLES = r"""
- name: Apply the prod environment of /etc/gorig/gorig.yaml
  gorig.go.gorig:
    config: /etc/gorig/gorig.yaml
    env: prod
    environment:
      PROXY_HOST: proxy.corp.example
  register: gorig_result

- name: Show what gorig changed
  ansible.builtin.debug:
    msg: "{{ gorig_result.changes | map(attribute='summary') | list }}"

- name: Prepare an image's root file system with a user-mode store
  gorig.go.gorig:
    config: /srv/image/etc/gorig/gorig.yaml
    root: /srv/image
    home: /srv/image/opt/gorig
    binary: /usr/local/bin/gorig
"""

RETURN = r"""
changed:
  description:
    - In check mode, whether apply would change something; else whether it did.
  returned: always
  type: bool
changes:
  description:
    - In check mode, what apply would do, in order; else what it did.
  returned: always
  type: list
  elements: dict
  sample:
    - kind: install
      target: go1.27.3
      summary: install go1.27.3 (the newest 1.27)
  contains:
    kind:
      description: One of install, remove, default, file, unit, reload.
      type: str
      returned: always
    target:
      description: A Go version, or the path of a file or unit.
      type: str
      returned: always
    summary:
      description: What the change does, in words.
      type: str
      returned: always
    diff:
      description: The whole texts before and after (empty when absent); file and unit changes only.
      type: dict
      returned: when kind is file or unit
    patch:
      description: A unified diff; file and unit changes only.
      type: str
      returned: when kind is file or unit
not_done:
  description: Changes that apply did not make because a step failed.
  returned: on failure of apply
  type: list
  elements: dict
contract_ok:
  description: Whether every finding of the contract is ok.
  returned: when gorig printed a report
  type: bool
report:
  description:
    - The whole JSON report of C(gorig plan) or C(gorig apply), or gorig's error
      document when it failed before planning.
  returned: when gorig printed one
  type: dict
cmd:
  description: The command that ran.
  returned: when gorig ran
  type: list
  elements: str
  sample: [/usr/local/bin/gorig, apply, -f, /etc/gorig/gorig.yaml, --json]
rc:
  description: gorig's exit code.
  returned: when gorig ran
  type: int
stderr:
  description: What gorig printed on stderr.
  returned: when gorig ran
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gorig.go.plugins.module_utils.gorig_cli import (
    GorigError,
    build_diff,
    build_environment,
    describe_change,
    error_message,
    failing_contract,
    find_binary,
    run_gorig,
)

# gorig's exit codes that are verdicts rather than failures.
RC_DRIFT = 13
RC_CONTRACT = 14


def build_argv(binary, command, params):
    argv = [binary, command, '-f', params['config'], '--json']
    if params['env']:
        argv += ['--env', params['env']]
    for group in params.get('groups') or []:
        argv += ['--group', group]
    if params['root']:
        argv += ['--root', params['root']]
    return argv


def contract_message(report):
    failing = failing_contract(report)
    return (
        'gorig apply of %s made its changes, but the contract is not met: %s. Run '
        '`gorig doctor` on the host for why and how to fix each, or take the id out '
        'of contract in gorig.yaml' % (report.get('file') or 'gorig.yaml', ', '.join(failing) or 'no finding named')
    )


def failure_message(what, report, rc):
    failed = report.get('failed')
    if isinstance(failed, dict):
        msg = error_message(
            what, failed.get('exit_code', rc), failed.get('error'),
            hints=failed.get('hints'), change=failed.get('change'),
        )
    else:
        msg = '%s exited %s and its report says no more about why' % (what, rc)
    not_done = report.get('not_done') or []
    if not_done:
        msg += '. Not done: %s' % '; '.join(describe_change(c) for c in not_done)
    return msg


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config=dict(type='path', required=True),
            env=dict(type='str'),
            groups=dict(type='list', elements='str', default=[]),
            root=dict(type='path'),
            home=dict(type='path'),
            binary=dict(type='path'),
            environment=dict(type='dict', default={}),
        ),
        supports_check_mode=True,
    )
    params = module.params
    # plan never changes the host, so check mode is exactly plan.
    command = 'plan' if module.check_mode else 'apply'
    what = 'gorig %s' % command
    result = dict(changed=False, changes=[])

    try:
        binary = find_binary(module, params['binary'])
        argv = build_argv(binary, command, params)
        result['cmd'] = argv
        env = build_environment(params['environment'], params['home'])
        rc, report, stderr = run_gorig(module, argv, env, what, command)
    except GorigError as exc:
        result.update(exc.details)
        module.fail_json(msg=exc.msg, **result)

    result.update(
        rc=rc,
        stderr=stderr,
        report=report,
        changes=report.get('changes') or [],
        contract_ok=report.get('contract_ok'),
        changed=bool(report.get('changed', bool(report.get('changes')))),
    )
    if module._diff:
        result['diff'] = build_diff(report)

    if rc == 0 or (module.check_mode and rc in (RC_DRIFT, RC_CONTRACT)):
        if report.get('contract_ok') is False and module.check_mode:
            module.warn(
                'the contract of %s is not met on the host now: %s. Apply checks it '
                'again after its changes and fails if it is still not met'
                % (report.get('file') or params['config'], ', '.join(failing_contract(report)))
            )
        module.exit_json(**result)

    if rc == RC_CONTRACT and not report.get('failed'):
        module.fail_json(msg=contract_message(report), **result)

    result['not_done'] = report.get('not_done') or []
    module.fail_json(msg=failure_message(what, report, rc), **result)


if __name__ == '__main__':
    main()
