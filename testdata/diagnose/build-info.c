Package: hello
Version: 2.12-1
Built on host buildd-x86-01 running Linux 6.1.0-18-amd64
uname -a: Linux buildd-x86-01 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64 GNU/Linux
