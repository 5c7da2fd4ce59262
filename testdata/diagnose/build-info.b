Package: hello
Version: 2.10-3
Built on host ci-runner-7 running Linux 6.1.0-13-cloud-amd64
uname -a: Linux ci-runner-7 6.1.0-13-cloud-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29) x86_64 GNU/Linux
