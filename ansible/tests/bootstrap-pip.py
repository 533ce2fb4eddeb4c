# Stands in for the get-pip.py that ansible-test downloads from its own CI file host,
# which is not reachable from here (only PyPI is). ansible-test runs it with the Python
# of a virtual environment it created without pip, and with pip's install arguments
# (e.g. "--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel"). This one
# installs the pip that ships inside Python (ensurepip, no network), then lets that pip
# install the requested pip from PyPI, so the environment ends as get-pip.py leaves it.
import subprocess
import sys

args = sys.argv[1:]
pip_args = [a for a in args if a not in ('--no-setuptools', '--no-wheel')]

# In a child process: ensurepip points PIP_CONFIG_FILE at /dev/null for the rest of the
# process, and the install below needs the machine's pip settings (index, CA bundle).
subprocess.check_call([sys.executable, '-m', 'ensurepip'], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--quiet'] + pip_args)
if '--no-setuptools' in args:
    # ensurepip of Python 3.11 and older also installs setuptools, which get-pip.py was told not to.
    subprocess.call([sys.executable, '-m', 'pip', 'uninstall', '--quiet', '--yes', 'setuptools'],
                    stderr=subprocess.DEVNULL)
