# -*- coding: utf-8 -*-
# Copyright (c) the gorig authors
# SPDX-License-Identifier: MIT OR Apache-2.0

import copy
import json

import pytest

from ansible_collections.gorig.go.plugins.modules import gorig

CONFIG = '/etc/gorig/gorig.yaml'
BIN = '/usr/local/bin/gorig'

INSTALL = {'kind': 'install', 'target': 'go1.27.3', 'summary': 'install go1.27.3 (the newest 1.27)'}
DEFAULT = {'kind': 'default', 'target': 'go1.27.3', 'summary': 'make go1.27.3 the default (was go1.26.6)'}
REMOVE = {'kind': 'remove', 'target': 'go1.25.9', 'summary': 'remove go1.25.9 (no longer in toolchains)'}
RELOAD = {'kind': 'reload', 'target': 'systemd', 'summary': 'systemctl daemon-reload'}
UNIT = {
    'kind': 'unit',
    'target': '/etc/systemd/system/api.service',
    'summary': 'write /etc/systemd/system/api.service',
    'diff': {'before': '', 'after': '[Service]\nExecStart=/opt/api/bin/api\n'},
    'patch': '--- a\n+++ b\n@@ -0,0 +1,2 @@\n+[Service]\n+ExecStart=/opt/api/bin/api\n',
}
FILE = {
    'kind': 'file',
    'target': '/etc/sysctl.d/90-gorig.conf',
    'summary': 'write /etc/sysctl.d/90-gorig.conf',
    'diff': {'before': 'net.core.somaxconn = 128\n', 'after': 'net.core.somaxconn = 4096\n'},
    'patch': '--- a\n+++ b\n@@ -1 +1 @@\n-net.core.somaxconn = 128\n+net.core.somaxconn = 4096\n',
}
CONTRACT_OK = [{'id': 'GORIG-NET-001', 'severity': 'ok', 'ok': True, 'title': 'somaxconn is 4096'}]


def report(command='apply', changes=None, **extra):
    doc = {
        'schema_version': 1,
        'command': command,
        'file': CONFIG,
        'env': None,
        'root': '/',
        'mode': 'system',
        'changed': bool(changes),
        'changes': copy.deepcopy(changes or []),
        'not_done': [],
        'failed': None,
        'contract': copy.deepcopy(CONTRACT_OK),
        'contract_ok': True,
    }
    doc.update(extra)
    return doc


def test_apply_that_changes_reports_the_changes(run_module):
    result, fake, dummy = run_module(gorig.main, {'config': CONFIG}, {'apply': (0, report(changes=[INSTALL, DEFAULT]), '')})

    assert fake.calls[0]['argv'] == [BIN, 'apply', '-f', CONFIG, '--json']
    assert result['changed'] is True
    assert result['changes'] == [INSTALL, DEFAULT]
    assert result['report']['command'] == 'apply'
    assert result['contract_ok'] is True
    assert result['rc'] == 0
    assert 'failed' not in result
    assert 'diff' not in result


def test_apply_with_nothing_to_do_is_unchanged(run_module):
    result, fake, dummy = run_module(gorig.main, {'config': CONFIG}, {'apply': (0, report(changes=[]), '')})

    assert fake.commands == ['apply']
    assert result['changed'] is False
    assert result['changes'] == []


def test_changed_is_gorigs_verdict_not_a_guess_from_the_changes(run_module):
    doc = report(changes=[INSTALL])
    doc['changed'] = False
    result, dummy, dummy = run_module(gorig.main, {'config': CONFIG}, {'apply': (0, doc, '')})

    assert result['changed'] is False


def test_options_become_flags_and_environment(run_module):
    args = {
        'config': '/srv/img/etc/gorig.yaml',
        'env': 'prod',
        'groups': ['builders', 'eu'],
        'root': '/srv/img',
        'home': '/srv/img/opt/gorig',
        'binary': '/opt/bin/gorig',
        'environment': {'PROXY_HOST': 'proxy.example', 'GORIG_HOME': '/not/this', 'GORIG_CONNECT_TIMEOUT': 5},
    }
    result, fake, dummy = run_module(gorig.main, args, {'apply': (0, report(), '')})

    call = fake.calls[0]
    assert call['argv'] == ['/opt/bin/gorig', 'apply', '-f', '/srv/img/etc/gorig.yaml', '--json',
                            '--env', 'prod', '--group', 'builders', '--group', 'eu',
                            '--root', '/srv/img']
    assert call['env']['PROXY_HOST'] == 'proxy.example'
    assert call['env']['GORIG_CONNECT_TIMEOUT'] == '5'
    # The home option is the more specific one.
    assert call['env']['GORIG_HOME'] == '/srv/img/opt/gorig'
    assert call['env']['LANG'] == 'C'
    assert call['env']['LC_ALL'] == 'C'
    # A '$' in a path must reach gorig as it is.
    assert call['kwargs']['expand_user_and_vars'] is False
    assert result['cmd'] == call['argv']


def test_the_locale_can_be_overridden(run_module):
    dummy, fake, dummy = run_module(gorig.main, {'config': CONFIG, 'environment': {'LANG': 'C.UTF-8'}},
                                    {'apply': (0, report(), '')})

    assert fake.calls[0]['env']['LANG'] == 'C.UTF-8'
    assert 'GORIG_HOME' not in fake.calls[0]['env']


@pytest.mark.parametrize('rc', [0, 13])
def test_check_mode_plans_and_never_applies(run_module, rc):
    answers = {'plan': (rc, report('plan', changes=[INSTALL]), '')}
    result, fake, dummy = run_module(gorig.main, {'config': CONFIG, '_ansible_check_mode': True}, answers)

    assert fake.commands == ['plan']
    assert fake.calls[0]['argv'] == [BIN, 'plan', '-f', CONFIG, '--json']
    assert result['changed'] is True
    assert result['changes'] == [INSTALL]
    assert 'failed' not in result


def test_check_mode_without_drift_is_unchanged(run_module):
    result, fake, dummy = run_module(gorig.main, {'config': CONFIG, '_ansible_check_mode': True},
                                     {'plan': (0, report('plan'), '')})

    assert fake.commands == ['plan']
    assert result['changed'] is False


def test_check_mode_warns_about_an_unmet_contract_instead_of_failing(run_module):
    doc = report('plan', changes=[FILE], contract_ok=False,
                 contract=[{'id': 'GORIG-NET-001', 'severity': 'warn', 'ok': False, 'title': 'somaxconn is 128'}])
    result, dummy, warnings = run_module(gorig.main, {'config': CONFIG, '_ansible_check_mode': True},
                                         {'plan': (0, doc, '')})

    assert 'failed' not in result
    assert len(warnings) == 1
    assert 'GORIG-NET-001 (warn: somaxconn is 128)' in warnings[0]


def test_diff_mode_shows_files_as_texts_and_the_rest_as_prepared_lines_in_order(run_module):
    changes = [INSTALL, DEFAULT, UNIT, FILE, RELOAD, REMOVE]
    result, dummy, dummy = run_module(gorig.main, {'config': CONFIG, '_ansible_diff': True},
                                      {'apply': (0, report(changes=changes), '')})

    assert result['diff'] == [
        {'prepared': 'gorig: install go1.27.3 (the newest 1.27)\n'
                     'gorig: make go1.27.3 the default (was go1.26.6)\n'},
        {'before': '', 'after': '[Service]\nExecStart=/opt/api/bin/api\n',
         'before_header': '/etc/systemd/system/api.service', 'after_header': '/etc/systemd/system/api.service'},
        {'before': 'net.core.somaxconn = 128\n', 'after': 'net.core.somaxconn = 4096\n',
         'before_header': '/etc/sysctl.d/90-gorig.conf', 'after_header': '/etc/sysctl.d/90-gorig.conf'},
        {'prepared': 'gorig: systemctl daemon-reload\n'
                     'gorig: remove go1.25.9 (no longer in toolchains)\n'},
    ]


def test_diff_mode_in_check_mode_shows_the_plan(run_module):
    result, fake, dummy = run_module(gorig.main, {'config': CONFIG, '_ansible_check_mode': True, '_ansible_diff': True},
                                     {'plan': (0, report('plan', changes=[INSTALL]), '')})

    assert fake.commands == ['plan']
    assert result['diff'] == [{'prepared': 'gorig: install go1.27.3 (the newest 1.27)\n'}]


def test_diff_mode_without_changes_is_an_empty_diff(run_module):
    result, dummy, dummy = run_module(gorig.main, {'config': CONFIG, '_ansible_diff': True},
                                      {'apply': (0, report(), '')})

    assert result['diff'] == []


def test_a_failed_step_fails_with_gorigs_error_and_hints(run_module):
    doc = report(
        changes=[DEFAULT],
        not_done=[INSTALL, FILE],
        failed={
            'change': INSTALL,
            'error': 'every source failed: https://mirror.example/go1.27.3.linux-amd64.tar.gz: connection refused.',
            'hints': ['set GORIG_MIRROR to a mirror that can be reached', 'or install offline with --offline'],
            'exit_code': 4,
        },
    )
    result, dummy, dummy = run_module(gorig.main, {'config': CONFIG}, {'apply': (4, doc, 'error: every source failed\n')})

    assert result['failed'] is True
    assert result['msg'] == (
        'gorig apply failed (exit 4) at "install go1.27.3 (the newest 1.27)": every source failed: '
        'https://mirror.example/go1.27.3.linux-amd64.tar.gz: connection refused. What to do: set '
        'GORIG_MIRROR to a mirror that can be reached; or install offline with --offline. Not done: '
        'install go1.27.3 (the newest 1.27); write /etc/sysctl.d/90-gorig.conf'
    )
    assert result['rc'] == 4
    assert result['stderr'] == 'error: every source failed\n'
    assert result['report'] == doc
    # What was done before the failure still counts as a change.
    assert result['changed'] is True
    assert result['not_done'] == [INSTALL, FILE]


def test_a_failure_without_a_change_says_so(run_module):
    doc = report(failed={'change': None, 'error': 'the store is locked by pid 42', 'hints': [], 'exit_code': 5})
    result, dummy, dummy = run_module(gorig.main, {'config': CONFIG}, {'apply': (5, doc, '')})

    assert result['msg'] == 'gorig apply failed (exit 5): the store is locked by pid 42'
    assert result['changed'] is False


def test_a_nonzero_exit_without_failed_is_still_a_failure(run_module):
    result, dummy, dummy = run_module(gorig.main, {'config': CONFIG}, {'apply': (3, report(), '')})

    assert result['failed'] is True
    assert result['msg'] == 'gorig apply exited 3 and its report says no more about why'


def test_drift_exit_code_is_a_failure_outside_check_mode(run_module):
    result, dummy, dummy = run_module(gorig.main, {'config': CONFIG}, {'apply': (13, report(changes=[INSTALL]), '')})

    assert result['failed'] is True


@pytest.mark.parametrize('check_mode', [False, True])
def test_the_generic_error_document_fails_with_its_error_and_hints(run_module, check_mode):
    doc = {
        'event': 'error',
        'error': '/etc/gorig/gorig.yaml:4:3: unknown key `toolchain`',
        'hints': ['did you mean `toolchains`?'],
        'exit_code': 2,
        'causes': [],
    }
    command = 'plan' if check_mode else 'apply'
    result, fake, dummy = run_module(gorig.main, {'config': CONFIG, '_ansible_check_mode': check_mode},
                                     {command: (2, doc, 'error: unknown key\n')})

    assert fake.commands == [command]
    assert result['failed'] is True
    assert result['msg'] == ('gorig %s failed (exit 2): /etc/gorig/gorig.yaml:4:3: unknown key `toolchain`. '
                             'What to do: did you mean `toolchains`?' % command)
    assert result['rc'] == 2
    assert result['report'] == doc
    assert result['stderr'] == 'error: unknown key\n'


def test_the_generic_error_document_names_its_causes(run_module):
    doc = {'event': 'error', 'error': 'cannot read sources.yaml', 'hints': [], 'exit_code': 2,
           'causes': ['No such file or directory (os error 2)']}
    result, dummy, dummy = run_module(gorig.main, {'config': CONFIG}, {'apply': (2, doc, '')})

    assert result['msg'] == ('gorig apply failed (exit 2): cannot read sources.yaml '
                             '(caused by: No such file or directory (os error 2))')


def test_an_unmet_contract_fails_naming_the_failing_ids(run_module):
    contract = [
        {'id': 'GORIG-NET-001', 'severity': 'ok', 'ok': True, 'title': 'somaxconn is 4096'},
        {'id': 'GORIG-LIM-001', 'severity': 'fail', 'ok': False, 'title': 'nofile is 1024'},
        {'id': 'GORIG-RUN-002', 'severity': 'warn', 'ok': False, 'title': 'no swap accounting'},
    ]
    doc = report(changes=[FILE], contract=contract, contract_ok=False)
    result, dummy, dummy = run_module(gorig.main, {'config': CONFIG}, {'apply': (14, doc, '')})

    assert result['failed'] is True
    assert result['msg'] == (
        'gorig apply of /etc/gorig/gorig.yaml made its changes, but the contract is not met: '
        'GORIG-LIM-001 (fail: nofile is 1024), GORIG-RUN-002 (warn: no swap accounting). Run '
        '`gorig doctor` on the host for why and how to fix each, or take the id out of contract in gorig.yaml'
    )
    assert result['changed'] is True
    assert result['contract_ok'] is False
    assert result['rc'] == 14


@pytest.mark.parametrize('stdout, words', [
    ('', 'printed nothing on stdout (exit 0)'),
    ('installing go1.27.3\n', 'did not print a JSON report on stdout (exit 0'),
    (json.dumps(report()) + '\n' + json.dumps(report()) + '\n', 'printed more than one JSON document'),
    ('{"schema_version": 1} trailing words', 'printed more than one JSON document'),
    ('[1, 2]', 'printed a JSON list on stdout'),
])
def test_stdout_that_is_not_one_json_document_fails_with_stderr(run_module, stdout, words):
    result, dummy, dummy = run_module(gorig.main, {'config': CONFIG}, {'apply': (0, stdout, 'gorig: something odd\n')})

    assert result['failed'] is True
    assert words in result['msg']
    assert result['msg'].endswith('; stderr: gorig: something odd')
    assert result['stderr'] == 'gorig: something odd\n'
    assert result['rc'] == 0


def test_an_older_gorig_without_apply_is_named(run_module):
    stderr = "error: unrecognized subcommand 'apply'\n\nUsage: gorig [OPTIONS] <COMMAND>\n"
    result, dummy, dummy = run_module(gorig.main, {'config': CONFIG}, {'apply': (2, '', stderr)})

    assert result['msg'].startswith('gorig apply printed nothing on stdout (exit 2)')
    assert 'gorig --version' in result['msg']
    assert "unrecognized subcommand 'apply'" in result['msg']


def test_a_report_of_another_schema_version_is_refused(run_module):
    result, dummy, dummy = run_module(gorig.main, {'config': CONFIG}, {'apply': (0, report(schema_version=2), '')})

    assert result['failed'] is True
    assert 'schema_version 2' in result['msg']
    assert 'reads 1' in result['msg']


def test_gorig_missing_from_path_fails_saying_what_to_do(run_module):
    result, fake, dummy = run_module(gorig.main, {'config': CONFIG}, {}, bin_path=None)

    assert fake.calls == []
    assert result['failed'] is True
    assert 'gorig was not found on PATH' in result['msg']
    assert 'binary option' in result['msg']
