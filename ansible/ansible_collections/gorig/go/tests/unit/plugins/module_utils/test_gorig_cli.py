# -*- coding: utf-8 -*-
# Copyright (c) the gorig authors
# SPDX-License-Identifier: MIT OR Apache-2.0

import pytest

from ansible_collections.gorig.go.plugins.module_utils import gorig_cli


def test_parse_document_accepts_one_object_with_surrounding_white_space():
    assert gorig_cli.parse_document('\n  {"a": 1}\n\n', 'gorig plan', 0, '') == {'a': 1}


def test_parse_document_keeps_long_stderr_to_its_end():
    stderr = 'x' * 5000 + 'the real error'
    with pytest.raises(gorig_cli.GorigError) as caught:
        gorig_cli.parse_document('', 'gorig plan', 1, stderr)
    assert caught.value.msg.endswith('the real error')
    assert len(caught.value.msg) < 2300
    assert caught.value.details['stderr'] == stderr


def test_parse_document_says_when_stderr_was_empty():
    with pytest.raises(gorig_cli.GorigError) as caught:
        gorig_cli.parse_document('nope', 'gorig plan', 0, '')
    assert caught.value.msg.endswith('; stderr was empty')


def test_environment_layers_locale_then_user_then_home():
    env = gorig_cli.build_environment({'LC_ALL': 'C.UTF-8', 'GORIG_HOME': '/a', 'N': 3, 'EMPTY': None}, '/b')
    assert env == {'LANG': 'C', 'LC_ALL': 'C.UTF-8', 'LC_MESSAGES': 'C', 'GORIG_HOME': '/b', 'N': '3', 'EMPTY': ''}


def test_error_message_joins_causes_and_hints_without_double_stops():
    msg = gorig_cli.error_message('gorig apply', 4, 'it broke.', hints=['do this.', '', 'or that'],
                                  causes=['disk full.'], change={'kind': 'install', 'target': 'go1.27.3'})
    assert msg == ('gorig apply failed (exit 4) at "install go1.27.3": it broke (caused by: disk full). '
                   'What to do: do this; or that')


def test_error_message_without_an_error_says_none_was_reported():
    assert gorig_cli.error_message('gorig plan', 3, None) == 'gorig plan failed (exit 3): no error was reported'


def test_a_file_change_without_texts_is_listed_as_prepared():
    diff = gorig_cli.build_diff({'changes': [{'kind': 'file', 'target': '/etc/x', 'summary': 'remove /etc/x'}]})
    assert diff == [{'prepared': 'gorig: remove /etc/x\n'}]


def test_a_diff_with_null_texts_shows_empty_ones():
    diff = gorig_cli.build_diff({'changes': [{'kind': 'unit', 'target': '/u', 'diff': {'before': None, 'after': 'x'}}]})
    assert diff == [{'before': '', 'after': 'x', 'before_header': '/u', 'after_header': '/u'}]


def test_failing_contract_lists_only_entries_not_ok():
    report = {'contract': [{'id': 'A', 'ok': True, 'severity': 'ok'}, {'id': 'B', 'ok': False, 'severity': 'fail'},
                           {'id': 'C', 'ok': False}]}
    assert gorig_cli.failing_contract(report) == ['B (fail)', 'C (not ok)']
