# -*- coding: utf-8 -*-
# Copyright (c) the gorig authors
# SPDX-License-Identifier: MIT OR Apache-2.0

"""Runs a module's main() in-process against a stand-in for the gorig binary."""

import contextlib
import json
from unittest import mock

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes


class ModuleExit(Exception):
    """exit_json or fail_json was called; result holds what the module returned."""

    def __init__(self, result):
        super(ModuleExit, self).__init__(result)
        self.result = result


@contextlib.contextmanager
def module_args(args):
    try:
        # ansible-core 2.19 and later; older ones read the private _ANSIBLE_ARGS.
        from ansible.module_utils.testing import patch_module_args
    except ImportError:
        payload = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
        with mock.patch.object(basic, '_ANSIBLE_ARGS', payload):
            yield
    else:
        with patch_module_args(args):
            yield


class FakeGorig(object):
    """Answers run_command like gorig: each answer is (rc, stdout, stderr), chosen
    by the subcommand (argv[1]); a dict stdout is printed as JSON. Records each call.

    Set on the class as run_command, an instance is not bound, so it gets no self.
    """

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def __call__(self, argv, **kwargs):
        self.calls.append({'argv': list(argv), 'env': dict(kwargs.get('environ_update') or {}), 'kwargs': kwargs})
        command = argv[1]
        if command not in self.answers:
            raise AssertionError('the module ran an unexpected command: %r' % (argv,))
        rc, stdout, stderr = self.answers[command]
        if isinstance(stdout, dict):
            stdout = json.dumps(stdout) + '\n'
        return rc, stdout, stderr

    @property
    def commands(self):
        return [c['argv'][1] for c in self.calls]


@pytest.fixture
def run_module():
    """run_module(main, args, answers, bin_path='/usr/local/bin/gorig') -> (result, fake, warnings)."""

    def run(main, args, answers, bin_path='/usr/local/bin/gorig'):
        fake = FakeGorig(answers)
        warnings = []

        def exit_json(self, **kwargs):
            kwargs.setdefault('changed', False)
            raise ModuleExit(kwargs)

        def fail_json(self, msg, **kwargs):
            kwargs['failed'] = True
            kwargs['msg'] = msg
            raise ModuleExit(kwargs)

        def warn(self, warning):
            warnings.append(warning)

        def get_bin_path(self, name, required=False, opt_dirs=None):
            return bin_path

        with module_args(args), \
                mock.patch.object(basic.AnsibleModule, 'run_command', new=fake), \
                mock.patch.object(basic.AnsibleModule, 'exit_json', new=exit_json), \
                mock.patch.object(basic.AnsibleModule, 'fail_json', new=fail_json), \
                mock.patch.object(basic.AnsibleModule, 'warn', new=warn), \
                mock.patch.object(basic.AnsibleModule, 'get_bin_path', new=get_bin_path):
            with pytest.raises(ModuleExit) as caught:
                main()
        return caught.value.result, fake, warnings

    return run
