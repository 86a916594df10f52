package nginx

import "syscall"

// procAttr puts a child in a process group of its own (nginx's workers
// join it, so that one signal reaches them all) and has the kernel send it
// SIGTERM if the test process dies without its cleanup (a panic, a
// timeout): nginx then stops its workers, an instance closes.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
