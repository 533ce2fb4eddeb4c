# -*- coding: utf-8 -*-
# Copyright (c) the gorig authors
# SPDX-License-Identifier: MIT OR Apache-2.0

import copy

import pytest

from ansible_collections.gorig.go.plugins.modules import gorig_facts

BIN = '/usr/local/bin/gorig'


def finding(fid, severity, group='os'):
    return {'id': fid, 'group': group, 'severity': severity, 'title': fid.lower(), 'why': 'because',
            'evidence': [{'source': '/etc/os-release', 'value': 'ID=debian'}], 'fix': []}


# The shape of `gorig doctor --json` (schema 2), as the real binary prints it.
DOCTOR = {
    'schema_version': 2,
    'host': {
        'os': {'id': 'debian', 'version_id': '12', 'family': 'debian',
               'pretty_name': 'Debian GNU/Linux 12 (bookworm)', 'id_like': []},
        'libc': {'kind': 'glibc', 'version': '2.36'},
        'cpu': {'arch': 'amd64', 'count': 2, 'level': 'x86-64-v4', 'goamd64': 'v4', 'lse': None},
        'cgroup': {'version': '2', 'cpu_quota': 1.5, 'memory_max': 1073741824, 'pids_max': None},
        'kernel': '6.1.0-18-amd64',
        'go': None,
        'root': '/',
    },
    'findings': [
        finding('GORIG-OS-001', 'ok'),
        finding('GORIG-TC-001', 'warn', 'toolchain'),
        finding('GORIG-LIM-001', 'warn', 'limits'),
        finding('GORIG-RT-001', 'info', 'runtime'),
        finding('GORIG-NET-002', 'fail', 'network'),
        finding('GORIG-OS-002', 'ok'),
    ],
    'summary': {'ok': 2, 'info': 1, 'warn': 2, 'fail': 1},
    'worst': 'fail',
}

LIST = {
    'schema_version': 1,
    'default': 'go1.27.3',
    'home': '/usr/local/lib/gorig',
    'installed': [
        {'default': False, 'path': '/usr/local/lib/gorig/versions/go1.26.6', 'version': 'go1.26.6'},
        {'default': True, 'path': '/usr/local/lib/gorig/versions/go1.27.3', 'version': 'go1.27.3'},
    ],
}


def answers(doctor_rc=9, doctor=None, list_rc=0, listing=None):
    return {
        'doctor': (doctor_rc, copy.deepcopy(DOCTOR if doctor is None else doctor), ''),
        'list': (list_rc, copy.deepcopy(LIST if listing is None else listing), ''),
    }


def test_facts_map_doctor_and_list(run_module):
    result, fake, dummy = run_module(gorig_facts.main, {}, answers())

    assert fake.calls[0]['argv'] == [BIN, 'doctor', '--json']
    assert fake.calls[1]['argv'] == [BIN, 'list', '--json']
    assert result['changed'] is False
    assert 'failed' not in result
    assert result['ansible_facts'] == {'gorig': {
        'os': {'id': 'debian', 'version': '12', 'family': 'debian',
               'pretty_name': 'Debian GNU/Linux 12 (bookworm)', 'id_like': []},
        'libc': {'kind': 'glibc', 'version': '2.36'},
        'cpu': {'arch': 'amd64', 'count': 2, 'level': 'x86-64-v4'},
        'cgroup': {'version': '2', 'cpu_quota': 1.5, 'memory_max': 1073741824, 'pids_max': None},
        'kernel': '6.1.0-18-amd64',
        'root': '/',
        'toolchains': {'installed': ['go1.26.6', 'go1.27.3'], 'default': 'go1.27.3',
                       'home': '/usr/local/lib/gorig'},
        'findings': {'fail': ['GORIG-NET-002'], 'warn': ['GORIG-TC-001', 'GORIG-LIM-001'],
                     'info': ['GORIG-RT-001'], 'ok': ['GORIG-OS-001', 'GORIG-OS-002']},
        'summary': {'ok': 2, 'info': 1, 'warn': 2, 'fail': 1},
        'worst': 'fail',
    }}


def test_an_empty_tree_gives_empty_facts_not_a_crash(run_module):
    # What doctor --root prints for a directory with no os-release, no CPU, no libc.
    doctor = {
        'schema_version': 2,
        'host': {'os': None, 'libc': {'kind': 'none', 'version': None},
                 'cpu': {'arch': None, 'count': None, 'level': None, 'lse': None},
                 'cgroup': {'version': 'none', 'cpu_quota': None, 'memory_max': None, 'pids_max': None},
                 'kernel': None, 'go': None, 'root': '/srv/empty'},
        'findings': [], 'summary': {'ok': 0, 'info': 0, 'warn': 0, 'fail': 0}, 'worst': 'ok',
    }
    listing = {'schema_version': 1, 'default': None, 'home': '/srv/empty/home', 'installed': []}
    result, dummy, dummy = run_module(gorig_facts.main, {'root': '/srv/empty'}, answers(0, doctor, 0, listing))

    facts = result['ansible_facts']['gorig']
    assert facts['os'] == {'id': None, 'version': None, 'family': None, 'pretty_name': None, 'id_like': []}
    assert facts['toolchains'] == {'installed': [], 'default': None, 'home': '/srv/empty/home'}
    assert facts['findings'] == {'fail': [], 'warn': [], 'info': [], 'ok': []}


@pytest.mark.parametrize('rc', [0, 8, 9])
def test_doctors_verdicts_are_not_failures(run_module, rc):
    result, dummy, dummy = run_module(gorig_facts.main, {}, answers(doctor_rc=rc))

    assert 'failed' not in result


def test_options_become_flags_and_environment(run_module):
    args = {'root': '/srv/img', 'home': '/srv/img/opt/gorig', 'binary': '/opt/bin/gorig',
            'environment': {'GORIG_CACHE_DIR': '/var/cache/gorig'}}
    dummy, fake, dummy = run_module(gorig_facts.main, args, answers())

    assert fake.calls[0]['argv'] == ['/opt/bin/gorig', 'doctor', '--json', '--root', '/srv/img']
    assert fake.calls[1]['argv'] == ['/opt/bin/gorig', 'list', '--json']
    for call in fake.calls:
        assert call['env']['GORIG_HOME'] == '/srv/img/opt/gorig'
        assert call['env']['GORIG_CACHE_DIR'] == '/var/cache/gorig'
        assert call['env']['LANG'] == 'C'


def test_system_lists_the_system_store(run_module):
    dummy, fake, dummy = run_module(gorig_facts.main, {'system': True}, answers())

    assert fake.calls[1]['argv'] == [BIN, 'list', '--json', '--system']
    assert 'GORIG_HOME' not in fake.calls[1]['env']


def test_check_mode_reads_the_same_facts(run_module):
    result, fake, dummy = run_module(gorig_facts.main, {'_ansible_check_mode': True}, answers())

    assert fake.commands == ['doctor', 'list']
    assert result['changed'] is False
    assert result['ansible_facts']['gorig']['worst'] == 'fail'


def test_a_doctor_error_document_fails_with_its_hints(run_module):
    doc = {'event': 'error', 'error': '--root /srv/nope: not a directory', 'exit_code': 2, 'causes': [],
           'hints': ["point --root at the top of a host's file tree (the directory holding etc/, proc/, sys/)"]}
    result, fake, dummy = run_module(gorig_facts.main, {'root': '/srv/nope'},
                                     {'doctor': (2, doc, 'error: --root /srv/nope: not a directory\n')})

    assert fake.commands == ['doctor']
    assert result['failed'] is True
    assert result['msg'] == ("gorig doctor failed (exit 2): --root /srv/nope: not a directory. What to do: point "
                             "--root at the top of a host's file tree (the directory holding etc/, proc/, sys/)")
    assert result['rc'] == 2


def test_an_unexpected_doctor_exit_code_fails(run_module):
    result, dummy, dummy = run_module(gorig_facts.main, {}, answers(doctor_rc=101))

    assert result['failed'] is True
    assert result['msg'] == 'gorig doctor exited 101'


def test_a_list_failure_fails(run_module):
    result, dummy, dummy = run_module(gorig_facts.main, {}, {
        'doctor': (0, copy.deepcopy(DOCTOR), ''),
        'list': (1, 'thread main panicked', 'panic\n'),
    })

    assert result['failed'] is True
    assert result['msg'].startswith('gorig list did not print a JSON report on stdout (exit 1')
    assert result['msg'].endswith('; stderr: panic')


def test_a_doctor_report_of_another_schema_is_refused(run_module):
    doctor = dict(DOCTOR, schema_version=1)
    result, dummy, dummy = run_module(gorig_facts.main, {}, answers(doctor=doctor))

    assert result['failed'] is True
    assert 'schema_version 1, and this collection reads 2' in result['msg']


def test_home_and_system_are_exclusive(run_module):
    result, fake, dummy = run_module(gorig_facts.main, {'home': '/h', 'system': True}, answers())

    assert fake.calls == []
    assert result['failed'] is True
    assert 'mutually exclusive' in result['msg']
