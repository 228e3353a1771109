package uitest

import (
	"fmt"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
)

func TestSerialAppRunsOneFunctionAtATime(t *testing.T) {
	NewSerialApp(t)
	var wg sync.WaitGroup
	n := 0 // unguarded on purpose: the race detector checks the driver
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				fyne.Do(func() { n++ })
			}
		}()
	}
	wg.Wait()
	fyne.DoAndWait(func() {}) // the queue is in order: every Do above has run
	if n != 800 {
		t.Fatalf("n = %d, want 800", n)
	}
	var order []string
	fyne.DoAndWait(func() {
		fyne.Do(func() { order = append(order, "queued") }) // runs after this function
		fyne.DoAndWait(func() { order = append(order, "nested") })
		order = append(order, "outer")
	})
	fyne.DoAndWait(func() {})
	if got := fmt.Sprint(order); got != "[nested outer queued]" {
		t.Fatalf("order %s, want [nested outer queued]", got)
	}
}
