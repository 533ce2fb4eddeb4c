#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) the gorig authors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: gorig_facts
short_description: Facts about a host's Go readiness, from gorig doctor and gorig list
description:
  - Runs C(gorig doctor --json) and C(gorig list --json) on the target and sets the
    fact C(gorig) (C(ansible_facts.gorig)) from their reports. It changes nothing.
  - Doctor's warnings and failures are facts, not a failure of this module; only an
    error of gorig itself fails it.
version_added: "0.1.0"
author:
  - gorig maintainers (@gorig)
requirements:
  - gorig on the target.
  - Python 3.6 or newer on the target.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.facts
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  facts:
    support: full
  platform:
    platforms: posix
    details: gorig runs on Linux only.
options:
  root:
    description:
      - Directory that doctor reads as the host's C(/) (C(--root)), e.g. a mounted image.
    type: path
  home:
    description:
      - The store of toolchains to list in user mode; sets C(GORIG_HOME).
    type: path
  system:
    description:
      - List the system-wide store (C(gorig list --system)) instead of the user's.
    type: bool
    default: false
  binary:
    description:
      - Path of the gorig binary on the target.
      - By default C(gorig) is looked up on C(PATH), then in C(/usr/local/bin).
    type: path
  environment:
    description:
      - Extra environment variables for gorig, on top of the module's own.
    type: dict
    default: {}
seealso:
  - module: gorig.go.gorig
"""

EXAMPLES = r"""
- name: Read the host's Go facts
  gorig.go.gorig_facts:

- name: Stop where doctor finds a failure
  ansible.builtin.assert:
    that: ansible_facts.gorig.findings.fail | length == 0
    fail_msg: "gorig doctor failed {{ ansible_facts.gorig.findings.fail | join(', ') }}"

- name: Read an image's facts and its own store
  gorig.go.gorig_facts:
    root: /srv/image
    home: /srv/image/opt/gorig
"""

RETURN = r"""
ansible_facts:
  description: The facts set.
  returned: always
  type: dict
  contains:
    gorig:
      description: What gorig doctor and gorig list report about the host.
      returned: always
      type: dict
      contains:
        os:
          description: The distribution, from os-release.
          type: dict
          returned: always
          sample: {id: debian, version: "12", family: debian, pretty_name: Debian GNU/Linux 12 (bookworm), id_like: []}
        libc:
          description: The C library.
          type: dict
          returned: always
          sample: {kind: glibc, version: "2.36"}
        cpu:
          description: The architecture in Go's words, the number of CPUs, and the micro-architecture level.
          type: dict
          returned: always
          sample: {arch: amd64, count: 2, level: x86-64-v3}
        cgroup:
          description: The cgroup version and this process's CPU quota, memory and pids limits (null when none).
          type: dict
          returned: always
          sample: {version: "2", cpu_quota: null, memory_max: null, pids_max: null}
        kernel:
          description: The kernel release.
          type: str
          returned: always
          sample: 6.1.0-18-amd64
        root:
          description: The directory read as the host's root.
          type: str
          returned: always
          sample: /
        toolchains:
          description: The installed toolchains and the default, from gorig list.
          type: dict
          returned: always
          sample: {installed: [go1.26.6, go1.27.3], default: go1.27.3, home: /usr/local/lib/gorig}
        findings:
          description: The ids of doctor's findings, by severity.
          type: dict
          returned: always
          sample: {fail: [], warn: [GORIG-LIM-001], info: [], ok: [GORIG-OS-001]}
        summary:
          description: How many findings doctor has of each severity.
          type: dict
          returned: always
          sample: {ok: 27, info: 3, warn: 4, fail: 0}
        worst:
          description: The worst severity found (ok, info, warn or fail).
          type: str
          returned: always
          sample: warn
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gorig.go.plugins.module_utils.gorig_cli import (
    GorigError,
    build_environment,
    find_binary,
    run_gorig,
)

# doctor exits 8 when it found warnings and 9 with failures: verdicts, which the
# facts carry, not errors of gorig.
DOCTOR_RCS = (0, 8, 9)
SEVERITIES = ('fail', 'warn', 'info', 'ok')


def _pick(source, keys):
    source = source if isinstance(source, dict) else {}
    return dict((key, source.get(key)) for key in keys)


def build_facts(doctor, listing):
    """The gorig fact from a doctor report and a list report."""
    host = doctor.get('host') or {}
    os_info = host.get('os') or {}
    findings = dict((severity, []) for severity in SEVERITIES)
    for finding in doctor.get('findings') or []:
        severity = finding.get('severity')
        # A severity newer than this collection is kept under its own name.
        findings.setdefault(severity, []).append(finding.get('id'))
    installed = [t.get('version') for t in listing.get('installed') or [] if isinstance(t, dict)]
    return {
        'os': {
            'id': os_info.get('id'),
            'version': os_info.get('version_id'),
            'family': os_info.get('family'),
            'pretty_name': os_info.get('pretty_name'),
            'id_like': os_info.get('id_like') or [],
        },
        'libc': _pick(host.get('libc'), ('kind', 'version')),
        'cpu': _pick(host.get('cpu'), ('arch', 'count', 'level')),
        'cgroup': host.get('cgroup') or {},
        'kernel': host.get('kernel'),
        'root': host.get('root'),
        'toolchains': {
            'installed': installed,
            'default': listing.get('default'),
            'home': listing.get('home'),
        },
        'findings': findings,
        'summary': doctor.get('summary') or {},
        'worst': doctor.get('worst'),
    }


def main():
    module = AnsibleModule(
        argument_spec=dict(
            root=dict(type='path'),
            home=dict(type='path'),
            system=dict(type='bool', default=False),
            binary=dict(type='path'),
            environment=dict(type='dict', default={}),
        ),
        mutually_exclusive=[('home', 'system')],
        supports_check_mode=True,
    )
    params = module.params
    try:
        binary = find_binary(module, params['binary'])
        env = build_environment(params['environment'], params['home'])

        doctor_argv = [binary, 'doctor', '--json']
        if params['root']:
            doctor_argv += ['--root', params['root']]
        dummy, doctor, dummy = run_gorig(module, doctor_argv, env, 'gorig doctor', 'doctor', ok_rcs=DOCTOR_RCS)

        list_argv = [binary, 'list', '--json'] + (['--system'] if params['system'] else [])
        dummy, listing, dummy = run_gorig(module, list_argv, env, 'gorig list', 'list')
    except GorigError as exc:
        module.fail_json(msg=exc.msg, **exc.details)

    module.exit_json(changed=False, ansible_facts={'gorig': build_facts(doctor, listing)})


if __name__ == '__main__':
    main()
