//! Host trees of seven kinds of machine, shared by the doctor and inspect tests: each
//! says exactly what the machine has (os-release from the real fixtures, procfs, sysfs,
//! the C library and its loader, programs on PATH).

#![allow(dead_code)] // each test binary uses the hosts it needs

use gorig_test::{HostTree, Machine, X86_V2, X86_V3};

pub const X86_LOADER: &str = "/lib64/ld-linux-x86-64.so.2";

/// What most Linux hosts have: kernel defaults of a recent kernel, a root filesystem,
/// tmpfs /tmp, sockstat and meminfo.
pub fn common(tree: HostTree, kernel: &str) -> HostTree {
    tree.sysctl("kernel.osrelease", kernel)
        .sysctl("net.ipv4.ip_local_port_range", "32768\t60999")
        .sysctl("net.ipv4.tcp_tw_reuse", "2")
        .sysctl("net.ipv4.tcp_fin_timeout", "60")
        .sysctl("net.core.somaxconn", "4096")
        .sysctl("net.ipv4.tcp_max_syn_backlog", "1024")
        .sysctl("kernel.pid_max", "4194304")
        .sysctl("kernel.threads-max", "127573")
        .sysctl("fs.file-max", "9223372036854775807")
        .sysctl("fs.file-nr", "2592\t0\t9223372036854775807")
        .sysctl("fs.nr_open", "1048576")
        .sysctl("fs.inotify.max_user_watches", "524288")
        .sysctl("fs.inotify.max_user_instances", "128")
        .sysctl("vm.overcommit_memory", "0")
        .file(
            "/proc/net/sockstat",
            "sockets: used 812\nTCP: inuse 31 orphan 0 tw 12 alloc 40 mem 5\nUDP: inuse 4 mem 2\n",
        )
        .file(
            "/proc/meminfo",
            "MemTotal:       16318508 kB\nMemFree:         9123456 kB\n",
        )
        .file(
            "/etc/resolv.conf",
            "nameserver 10.0.0.2\nsearch example.internal\n",
        )
        .file(
            "/etc/nsswitch.conf",
            "passwd: files\ngroup: files\nhosts: files dns\n",
        )
}

pub const V2_MOUNTS: &str = "\
22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
24 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
25 22 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
30 22 0:25 / /tmp rw,nosuid,nodev shared:14 - tmpfs tmpfs rw,size=8159256k
";

/// Ubuntu 24.04 server: cgroup v2 (a user session), systemd-resolved through nss-resolve.
pub fn ubuntu24() -> HostTree {
    common(HostTree::new().distro("ubuntu24"), "6.8.0-45-generic")
        .symlink("/bin", "usr/bin")
        .symlink("/lib64", "usr/lib64")
        .elf_program("/usr/bin/dash", Machine::X86_64, X86_LOADER)
        .symlink("/usr/bin/sh", "dash")
        .glibc("/usr/lib/x86_64-linux-gnu/libc.so.6", "2.39")
        .file("/usr/lib64/ld-linux-x86-64.so.2", b"\x7fELF\x02\x01\x01\0")
        .executable("/usr/bin/gcc")
        .executable("/usr/bin/git")
        .file("/usr/include/stdlib.h", "/* C library headers */\n")
        .cpuinfo_x86(8, "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", X86_V3)
        .limits((Some(1024), Some(524288)), (Some(63711), Some(63711)))
        .file("/proc/self/mountinfo", V2_MOUNTS)
        .file("/proc/self/cgroup", "0::/user.slice/user-1000.slice/session-3.scope\n")
        .file("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
        .file("/sys/fs/cgroup/user.slice/user-1000.slice/pids.max", "38012\n")
        .file("/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope/pids.max", "max\n")
        .file("/sys/fs/cgroup/user.slice/memory.max", "max\n")
        .file("/etc/resolv.conf", "# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n")
        .file("/etc/nsswitch.conf", "passwd:         files systemd\nhosts:          files resolve [!UNAVAIL=return] dns myhostname\nnetworks:       files\n")
}

/// Debian 12 on a hybrid cgroup host (systemd with cgroup v1 controllers), a service with
/// CPUQuota=200% on 4 CPUs, and an old sysctl.d line.
pub fn debian12() -> HostTree {
    let service = "/system.slice/app.service";
    common(HostTree::new().distro("debian12"), "6.1.0-26-amd64")
        .symlink("/lib", "usr/lib")
        .elf_program("/usr/bin/dash", Machine::X86_64, X86_LOADER)
        .symlink("/bin", "usr/bin")
        .symlink("/usr/bin/sh", "dash")
        .glibc("/usr/lib/x86_64-linux-gnu/libc.so.6", "2.36")
        .symlink("/lib64", "usr/lib64")
        .file("/usr/lib64/ld-linux-x86-64.so.2", b"\x7fELF\x02\x01\x01\0")
        .executable("/usr/bin/gcc")
        .executable("/usr/bin/git")
        .file("/usr/include/stdlib.h", "\n")
        .cpuinfo_x86(4, "AMD EPYC 7571", X86_V3)
        .limits((Some(1024), Some(524288)), (Some(63000), Some(63000)))
        .file(
            "/proc/self/mountinfo",
            "22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n\
             26 22 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755\n\
             27 26 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:5 - cgroup2 cgroup2 rw,nsdelegate\n\
             28 26 0:25 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:6 - cgroup cgroup rw,xattr,name=systemd\n\
             31 26 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n\
             32 26 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,memory\n\
             33 26 0:30 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,pids\n",
        )
        .file(
            "/proc/self/cgroup",
            format!("12:pids:{service}\n5:memory:{service}\n3:cpu,cpuacct:{service}\n1:name=systemd:{service}\n0::{service}\n"),
        )
        .file(&format!("/sys/fs/cgroup/cpu,cpuacct{service}/cpu.cfs_quota_us"), "200000\n")
        .file(&format!("/sys/fs/cgroup/cpu,cpuacct{service}/cpu.cfs_period_us"), "100000\n")
        .file(&format!("/sys/fs/cgroup/memory{service}/memory.limit_in_bytes"), "9223372036854771712\n")
        .file(&format!("/sys/fs/cgroup/pids{service}/pids.max"), "4915\n")
        .file("/etc/sysctl.d/99-tuning.conf", "# from an old runbook\nnet.ipv4.tcp_tw_recycle = 1\nnet.ipv4.tcp_fin_timeout = 15\n")
}

/// Rocky 9, CIS-hardened: SELinux enforcing, /tmp mounted noexec.
pub fn rocky9() -> HostTree {
    common(HostTree::new().distro("rocky9"), "5.14.0-427.13.1.el9_4.x86_64")
        .symlink("/bin", "usr/bin")
        .symlink("/lib64", "usr/lib64")
        .elf_program("/usr/bin/bash", Machine::X86_64, X86_LOADER)
        .symlink("/usr/bin/sh", "bash")
        .glibc("/usr/lib64/libc.so.6", "2.34")
        .file("/usr/lib64/ld-linux-x86-64.so.2", b"\x7fELF\x02\x01\x01\0")
        .executable("/usr/bin/gcc")
        .executable("/usr/bin/git")
        .file("/usr/include/stdlib.h", "\n")
        .cpuinfo_x86(4, "Intel Xeon Processor (Cascadelake)", X86_V3)
        .limits((Some(1024), Some(262144)), (Some(30000), Some(30000)))
        .file(
            "/proc/self/mountinfo",
            "22 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/rl-root rw,seclabel\n\
             25 22 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,seclabel,nsdelegate\n\
             40 22 253:3 / /tmp rw,nosuid,nodev,noexec,relatime shared:20 - xfs /dev/mapper/rl-tmp rw,seclabel\n",
        )
        .file("/proc/self/cgroup", "0::/user.slice/user-1000.slice/session-1.scope\n")
        .file("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n")
        .file("/sys/fs/selinux/enforce", "1")
        .file("/etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n")
        .file("/sys/fs/selinux/booleans/httpd_can_network_connect", "0 0")
        .file("/sys/fs/selinux/booleans/httpd_can_network_connect_db", "0 0")
        .file("/sys/fs/selinux/booleans/deny_execmem", "0 0")
        .file("/sys/fs/selinux/booleans/selinuxuser_execstack", "1 1")
        .file("/etc/nsswitch.conf", "passwd: sss files systemd\nhosts: files dns myhostname\n")
}

/// CentOS 7: glibc 2.17, kernel 3.10, cgroup v1 only, and the defaults of its time.
pub fn centos7() -> HostTree {
    common(HostTree::new().distro("centos7"), "3.10.0-1160.119.1.el7.x86_64")
        .elf_program("/usr/bin/bash", Machine::X86_64, X86_LOADER)
        .symlink("/bin", "usr/bin")
        .symlink("/usr/bin/sh", "bash")
        .symlink("/lib64", "usr/lib64")
        .file("/usr/lib64/libc-2.17.so", b"\x7fELF\x02\x01\x01\0")
        .symlink("/usr/lib64/libc.so.6", "libc-2.17.so")
        .file("/usr/lib64/ld-2.17.so", b"\x7fELF\x02\x01\x01\0")
        .symlink("/usr/lib64/ld-linux-x86-64.so.2", "ld-2.17.so")
        .executable("/usr/bin/gcc")
        .file("/usr/include/stdlib.h", "\n")
        .cpuinfo_x86(2, "Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz", X86_V2)
        .limits((Some(1024), Some(4096)), (Some(4096), Some(63000)))
        .sysctl("net.core.somaxconn", "128")
        .sysctl("kernel.pid_max", "32768")
        .sysctl("net.ipv4.tcp_tw_reuse", "0")
        .sysctl("fs.inotify.max_user_watches", "8192")
        .file(
            "/proc/self/mountinfo",
            "18 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/centos-root rw\n\
             24 18 0:20 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:3 - tmpfs tmpfs ro,mode=755\n\
             27 24 0:23 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup rw,cpuacct,cpu\n\
             28 24 0:24 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,memory\n\
             29 24 0:25 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,pids\n",
        )
        .file("/proc/self/cgroup", "11:pids:/user.slice\n4:memory:/user.slice\n3:cpuacct,cpu:/user.slice\n1:name=systemd:/user.slice/user-0.slice/session-1.scope\n")
        .file("/sys/fs/cgroup/cpu,cpuacct/user.slice/cpu.cfs_quota_us", "-1\n")
        .file("/etc/resolv.conf", "nameserver 10.1.0.2\nnameserver 10.1.0.3\nnameserver 10.1.0.4\noptions timeout:5 attempts:5\n")
}

/// Alpine in Kubernetes: musl, busybox, no compiler, the cluster's resolv.conf.
pub fn alpine() -> HostTree {
    common(HostTree::new().distro("alpine"), "6.6.58-0-lts")
        .elf_program("/bin/busybox", Machine::X86_64, "/lib/ld-musl-x86_64.so.1")
        .symlink("/bin/sh", "/bin/busybox")
        .file("/lib/ld-musl-x86_64.so.1", b"\x7fELF\x02\x01\x01\0")
        .file("/lib/apk/db/installed", "C:Q1abc\nP:musl\nV:1.2.5-r0\nA:x86_64\n\nC:Q1def\nP:busybox\nV:1.37.0-r8\n")
        .cpuinfo_x86(2, "AMD EPYC 7R13 Processor", X86_V3)
        .limits((Some(1048576), Some(1048576)), (None, None))
        .file("/proc/self/mountinfo", V2_MOUNTS)
        .file("/proc/self/cgroup", "0::/\n")
        .file("/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n")
        .file("/sys/fs/cgroup/cpu.max", "max 100000\n")
        .file("/etc/resolv.conf", "search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n")
        .file("/etc/nsswitch.conf", "")
}

/// Amazon Linux 2023 on Graviton (arm64 with LSE atomics).
pub fn amazon2023() -> HostTree {
    common(HostTree::new().distro("amazon2023"), "6.1.112-122.189.amzn2023.aarch64")
        .symlink("/bin", "usr/bin")
        .symlink("/lib", "usr/lib")
        .elf_program("/usr/bin/bash", Machine::Aarch64, "/lib/ld-linux-aarch64.so.1")
        .symlink("/usr/bin/sh", "bash")
        .glibc_for(Machine::Aarch64, "/usr/lib64/libc.so.6", "2.34")
        .file("/usr/lib/ld-linux-aarch64.so.1", b"\x7fELF\x02\x01\x01\0")
        .symlink("/lib64", "usr/lib64")
        .executable("/usr/bin/git")
        .cpuinfo_arm64(4, "fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs")
        .limits((Some(65535), Some(65535)), (Some(31000), Some(31000)))
        .file("/proc/self/mountinfo", V2_MOUNTS)
        .file("/proc/self/cgroup", "0::/system.slice/app.service\n")
        .file("/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n")
}

/// A container: cpu.max 1.5 CPUs of 16, memory.max 512 MiB, pids.max 1024.
pub fn container() -> HostTree {
    common(HostTree::new().distro("debian13"), "6.8.0-1017-aws")
        .symlink("/bin", "usr/bin")
        .symlink("/lib64", "usr/lib64")
        .elf_program("/usr/bin/dash", Machine::X86_64, X86_LOADER)
        .symlink("/usr/bin/sh", "dash")
        .glibc("/usr/lib/x86_64-linux-gnu/libc.so.6", "2.41")
        .file("/usr/lib64/ld-linux-x86-64.so.2", b"\x7fELF\x02\x01\x01\0")
        .cpuinfo_x86(16, "Intel(R) Xeon(R) Platinum 8488C", X86_V3)
        .limits((Some(1048576), Some(1048576)), (None, None))
        .file(
            "/proc/self/mountinfo",
            "500 400 0:60 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n\
             510 500 0:62 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate\n",
        )
        .file("/proc/self/cgroup", "0::/\n")
        .file("/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n")
        .file("/sys/fs/cgroup/cpu.max", "150000 100000\n")
        .file("/sys/fs/cgroup/memory.max", "536870912\n")
        .file("/sys/fs/cgroup/memory.high", "max\n")
        .file("/sys/fs/cgroup/pids.max", "1024\n")
}

/// An EL8 machine (CentOS Stream 8, the RHEL 8 base): glibc 2.28, kernel 4.18, cgroup v1.
pub fn el8() -> HostTree {
    common(HostTree::new().distro("centosstream8"), "4.18.0-553.el8.x86_64")
        .symlink("/bin", "usr/bin")
        .symlink("/lib64", "usr/lib64")
        .elf_program("/usr/bin/bash", Machine::X86_64, X86_LOADER)
        .symlink("/usr/bin/sh", "bash")
        .glibc("/usr/lib64/libc.so.6", "2.28")
        .file("/usr/lib64/ld-2.28.so", b"\x7fELF\x02\x01\x01\0")
        .symlink("/usr/lib64/ld-linux-x86-64.so.2", "ld-2.28.so")
        .cpuinfo_x86(4, "Intel Xeon Processor (Skylake, IBRS)", X86_V3)
        .limits((Some(1024), Some(262144)), (Some(30000), Some(30000)))
        .file(
            "/proc/self/mountinfo",
            "22 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/cs-root rw\n\
             24 22 0:20 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:3 - tmpfs tmpfs ro,mode=755\n\
             27 24 0:23 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup rw,cpu,cpuacct\n",
        )
        .file("/proc/self/cgroup", "3:cpu,cpuacct:/user.slice\n1:name=systemd:/user.slice/user-1000.slice/session-2.scope\n")
}
