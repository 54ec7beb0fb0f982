// Package runlock gives a process exclusive use of a run folder: one run writes it, and a
// second process that tries (a second training of the same --out, a second task given the
// same sweep trial) is refused at once with an error naming the holder, on a local disk as
// on a filesystem shared by the machines of a cluster.
//
//	l, err := runlock.Acquire(dir)
//	var held *runlock.HeldError
//	if errors.As(err, &held) {
//		// "run folder DIR is in use by PID 1234 on host node17 since 2025-06-01 12:00:00 UTC"
//	}
//	defer l.Release()
//
// # The lock file
//
// The lock is the file DIR/.lock, created with O_EXCL (atomic on local filesystems and on
// NFS from version 3), locked with flock(2) for as long as the holder lives, and holding
// the holder's PID, host name, start time, and what tells two kernels and two PID
// namespaces apart (the kernel's boot id, the PID namespace, the process' start time since
// boot). [Lock.Release] removes it. Acquire never waits: it takes the lock or returns a
// [*HeldError] (or another error when the folder cannot be written).
//
// # Stale locks
//
// A lock file whose holder is gone is taken over:
//
//   - Killed, even with kill -9, on this machine: the kernel releases the holder's flock
//     when it dies, and the process named in the file no longer exists (or is another
//     process with the same PID, told apart by its start time): the file is stale at once.
//   - On a filesystem where flock(2) fails (Lustre without -o flock, some FUSE mounts):
//     the same test of the PID is made without the flock.
//   - On another machine: a holder touches its lock file every [Locker.Heartbeat] (10 s),
//     and a lock file of another host untouched for [Locker.StaleAfter] (2 minutes) is
//     stale. This is what protects a folder on a shared filesystem where flock is local to
//     each client (NFS mounted with nolock or local_lock=flock): a live holder elsewhere
//     keeps its file fresh.
//   - An empty or unreadable lock file (a crash while it was written, or a file that is
//     not ours) is stale when no one holds its flock and it is more than 5 seconds old;
//     younger, it is a lock being created, and Acquire refuses with a HeldError of PID 0.
//
// A stale file is removed while its flock is held by the process that found it stale, and
// the lock is created again with O_EXCL, so two processes that find it stale at once never
// both take it where flock works.
//
// # Limits
//
//   - Where flock works on no machine but the holder's own (NFS with local locks) or not at
//     all, two processes that find the same stale lock at the same moment may both remove it
//     and one of them, not both, creates the new one; the one that lost it is told by
//     [Lock.Check]. The creation of a lock where there was none is atomic everywhere
//     (O_EXCL).
//   - A holder on another machine is judged by its heartbeat against this machine's clock:
//     StaleAfter must exceed Heartbeat plus the clock skew between the machines. A holder
//     suspended (SIGSTOP, a laptop asleep) for longer than StaleAfter loses its lock to a
//     process on another machine; [Lock.Check] then returns an error, and the training
//     loop should stop rather than write.
//   - A process that forks keeps the lock in the child only while the parent lives: the
//     file is opened close-on-exec, and the PID in it is the parent's.
package runlock
