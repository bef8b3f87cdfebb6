package imagefs

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// sortNames sorts as slices.Sort does, at sizes around its runs.
func TestSortNames(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, sortRun - 1, sortRun, sortRun + 1, 3*sortRun + 7, 8 * sortRun, 9*sortRun - 1} {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprintf("%x", r.Uint32()%(uint32(n)+1)) // with duplicates
		}
		want := slices.Clone(s)
		slices.Sort(want)
		if err := sortNames(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(s, want) {
			t.Fatalf("%d names: not sorted", n)
		}
	}
}

// Sorting a directory of a million long names stops soon after a cancel,
// and sealing a tree stops too.
func TestSortNamesCancelled(t *testing.T) {
	s := make([]string, 1<<20)
	prefix := string(make([]byte, 200))
	for i := range s {
		s[i] = fmt.Sprintf("%s%d", prefix, len(s)-i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sortNames(ctx, s) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("still sorting a second after the cancel")
	}
	root := newNode(implicitDir(), 0)
	for i := range 10 {
		root.kids[fmt.Sprint(i)] = newNode(implicitDir(), 0)
	}
	if err := seal(ctx, root); !errors.Is(err, context.Canceled) {
		t.Fatalf("seal: error %v, want context.Canceled", err)
	}
}
