package runlock_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/descent-ml/descent/internal/runlock"
)

// A run takes its folder for as long as it writes it; a second run on the same folder is
// refused at once with an error naming the holder.
func Example() {
	dir, err := os.MkdirTemp("", "run")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	l, err := runlock.Acquire(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = runlock.Acquire(dir) // a second training of the same --out
	var held *runlock.HeldError
	if errors.As(err, &held) {
		fmt.Println("refused; held by this process:", held.PID == os.Getpid())
	}
	if err := l.Release(); err != nil {
		fmt.Println(err)
	}
	l, err = runlock.Acquire(dir)
	fmt.Println("after Release:", err)
	l.Release()
	// Output:
	// refused; held by this process: true
	// after Release: <nil>
}
