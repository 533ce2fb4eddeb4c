# -*- coding: utf-8 -*-
# Copyright (c) the gorig authors
# SPDX-License-Identifier: MIT OR Apache-2.0

"""Runs the gorig binary for the modules of gorig.go and reads its JSON reports.

Every gorig command used here prints exactly one JSON document on stdout with
--json; anything else on stdout means the binary is not the gorig these modules
were written for, so it is refused instead of guessed at.
"""

import json

# The reports' schema versions this collection reads; a newer gorig that changed a
# report's shape must not be misread as an older one.
SCHEMA_VERSIONS = {
    'plan': 1,
    'apply': 1,
    'doctor': 2,
    'list': 1,
}

# Pinned so that nothing gorig prints depends on the target's locale.
LOCALE_ENV = {'LANG': 'C', 'LC_ALL': 'C', 'LC_MESSAGES': 'C'}


class GorigError(Exception):
    """A failure with a message that says what went wrong and what to do.

    details holds the keys the module adds to its failure result (rc, stderr, report).
    """

    def __init__(self, msg, **details):
        super(GorigError, self).__init__(msg)
        self.msg = msg
        self.details = details


def find_binary(module, binary=None):
    """Return the path of gorig: binary when given, else gorig on PATH."""
    if binary:
        return binary
    # /usr/local/bin is where the role installs gorig, and a become'd PATH may lack it.
    found = module.get_bin_path('gorig', required=False, opt_dirs=['/usr/local/bin'])
    if not found:
        raise GorigError(
            'gorig was not found on PATH nor in /usr/local/bin: install it (the role '
            'gorig.go.gorig does) or give its path in the binary option'
        )
    return found


def build_environment(environment=None, home=None):
    """The variables gorig runs with, on top of the module's own environment.

    The user's variables (for ${VAR} in gorig.yaml, GORIG_MIRROR, ...) win over the
    pinned locale, and home wins over a GORIG_HOME among them because it is the
    more specific option.
    """
    env = dict(LOCALE_ENV)
    for key, value in (environment or {}).items():
        env[str(key)] = '' if value is None else str(value)
    if home:
        env['GORIG_HOME'] = home
    return env


def _stderr_tail(stderr, limit=2000):
    stderr = (stderr or '').strip()
    if len(stderr) > limit:
        stderr = '...' + stderr[-limit:]
    return stderr


def parse_document(stdout, what, rc, stderr):
    """Return the one JSON object on stdout, or raise GorigError saying why not."""
    text = (stdout or '').strip()
    tail = _stderr_tail(stderr)
    said = '; stderr: %s' % tail if tail else '; stderr was empty'
    if not text:
        raise GorigError(
            '%s printed nothing on stdout (exit %s), where a JSON report was expected '
            '(a gorig older than this collection may lack the command: check '
            '`gorig --version`)%s' % (what, rc, said),
            rc=rc, stderr=stderr, stdout=stdout,
        )
    try:
        doc, end = json.JSONDecoder().raw_decode(text)
    except ValueError as exc:
        raise GorigError(
            '%s did not print a JSON report on stdout (exit %s; %s): is the binary an '
            'older gorig, or not gorig at all? Check it with `gorig --version`%s'
            % (what, rc, exc, said),
            rc=rc, stderr=stderr, stdout=stdout,
        )
    if text[end:].strip():
        raise GorigError(
            '%s printed more than one JSON document on stdout (exit %s), where exactly '
            'one report was expected: the binary does not speak the report format this '
            'collection reads%s' % (what, rc, said),
            rc=rc, stderr=stderr, stdout=stdout,
        )
    if not isinstance(doc, dict):
        raise GorigError(
            '%s printed a JSON %s on stdout (exit %s), where a JSON object was expected%s'
            % (what, type(doc).__name__, rc, said),
            rc=rc, stderr=stderr, stdout=stdout,
        )
    return doc


def is_error_document(doc):
    """gorig's generic error document, printed for errors before any report exists."""
    return doc.get('event') == 'error' and 'error' in doc


def _sentence(text):
    text = (text or '').strip()
    return text[:-1] if text.endswith('.') else text


def error_message(what, rc, error, hints=None, causes=None, change=None):
    """One line: what failed, where, why, and what to do (gorig's hints)."""
    msg = '%s failed (exit %s)' % (what, rc)
    if change:
        msg += ' at "%s"' % describe_change(change)
    msg += ': %s' % (_sentence(error) or 'no error was reported')
    causes = [c for c in (causes or []) if c]
    if causes:
        msg += ' (caused by: %s)' % '; '.join(_sentence(str(c)) for c in causes)
    hints = [h for h in (hints or []) if h]
    if hints:
        msg += '. What to do: %s' % '; '.join(_sentence(str(h)) for h in hints)
    return msg


def generic_error_message(what, doc, rc):
    return error_message(
        what, doc.get('exit_code', rc), doc.get('error'),
        hints=doc.get('hints'), causes=doc.get('causes'),
    )


def check_schema(doc, command, what, rc, stderr):
    """Refuse a report whose schema_version this collection does not read."""
    want = SCHEMA_VERSIONS[command]
    got = doc.get('schema_version')
    if got != want:
        raise GorigError(
            '%s printed a report with schema_version %r, and this collection reads %d: '
            'use a gorig and a gorig.go collection of the same release'
            % (what, got, want),
            rc=rc, stderr=stderr, report=doc,
        )


def run_gorig(module, argv, env, what, command, ok_rcs=(0,)):
    """Run gorig and return (rc, document, stderr).

    Stdout that is not one JSON object, gorig's generic error document, or a report
    of another schema raises GorigError, and so does an exit code outside ok_rcs for
    doctor and list. A plan or apply report is returned whatever the exit code: it
    says itself what failed, and the caller knows what plan's and apply's codes mean.
    """
    rc, stdout, stderr = module.run_command(
        argv, environ_update=env, check_rc=False,
        # gorig.yaml paths may hold '$' or '~', which are not to be expanded here.
        expand_user_and_vars=False,
    )
    doc = parse_document(stdout, what, rc, stderr)
    if is_error_document(doc):
        raise GorigError(generic_error_message(what, doc, rc), rc=rc, stderr=stderr, report=doc)
    check_schema(doc, command, what, rc, stderr)
    if rc not in ok_rcs and command not in ('plan', 'apply'):
        raise GorigError(
            '%s exited %s%s' % (what, rc, ': %s' % _stderr_tail(stderr) if stderr else ''),
            rc=rc, stderr=stderr, report=doc,
        )
    return rc, doc, stderr


def describe_change(change):
    """The words a person reads for one planned or made change."""
    if not isinstance(change, dict):
        return str(change)
    summary = change.get('summary')
    if summary:
        return str(summary)
    return ' '.join(str(p) for p in (change.get('kind'), change.get('target')) if p)


def has_text_diff(change):
    return (
        isinstance(change, dict)
        and change.get('kind') in ('file', 'unit')
        and isinstance(change.get('diff'), dict)
    )


def build_diff(report):
    """Ansible's diff for a plan or apply report, in the report's order.

    Files and units show as before/after texts; the other changes (installs,
    removals, default switches, reloads) have no text of their own, so each run of
    them becomes one 'prepared' block of their summaries and --diff shows them too.
    """
    diffs = []
    pending = []

    def flush():
        if pending:
            diffs.append({'prepared': ''.join('gorig: %s\n' % line for line in pending)})
            del pending[:]

    for change in report.get('changes') or []:
        if has_text_diff(change):
            flush()
            target = str(change.get('target') or '')
            diffs.append({
                'before': change['diff'].get('before') or '',
                'after': change['diff'].get('after') or '',
                'before_header': target,
                'after_header': target,
            })
        else:
            pending.append(describe_change(change))
    flush()
    return diffs


def failing_contract(report):
    """The contract entries that are not met, as 'ID (severity: title)' strings."""
    out = []
    for entry in report.get('contract') or []:
        if isinstance(entry, dict) and not entry.get('ok'):
            words = [str(entry.get('severity') or 'not ok')]
            if entry.get('title'):
                words.append(str(entry['title']))
            out.append('%s (%s)' % (entry.get('id', '?'), ': '.join(words)))
    return out
