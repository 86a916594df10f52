//go:build unix && !linux

package nginx

import "syscall"

// procAttr puts a child in a process group of its own, so that one signal
// reaches nginx's workers too.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
