package proc

import "os/exec"

// Start starts cmd so that it cannot outlive this process: on Linux the
// kernel kills it when its parent dies (parent-death signal), on Windows it
// runs in a job object that kills it when the app's last handle closes, even
// after a crash or a kill from the task manager. Call release once the child
// has been waited for.
func Start(cmd *exec.Cmd) (release func(), err error) { return start(cmd) }
