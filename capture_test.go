package originsim_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	_ "github.com/originsim/originsim/driver/all"
	"github.com/originsim/originsim/model"
)

// capturing is a DuckDB target that pretends to have change capture, to
// check when the operations switch it on.
type capturing struct {
	driver.Target
	mu    sync.Mutex
	calls []string // what EnableCapture was asked, with whether a transaction was open
	on    map[driver.Capture]bool
	inTx  bool
	fail  error
}

type capturingTx struct {
	driver.Tx
	c *capturing
}

func (c *capturing) Begin(ctx context.Context) (driver.Tx, error) {
	tx, err := c.Target.Begin(ctx)
	if err != nil {
		return nil, err
	}
	c.inTx = true
	return &capturingTx{Tx: tx, c: c}, nil
}

func (t *capturingTx) Commit() error   { t.c.inTx = false; return t.Tx.Commit() }
func (t *capturingTx) Rollback() error { t.c.inTx = false; return t.Tx.Rollback() }

func (c *capturing) EnableCapture(_ context.Context, kind driver.Capture, tables []driver.SchemaTable) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var names []string
	for _, st := range tables {
		names = append(names, st.Schema+"."+st.Table.Name)
	}
	call := string(kind) + " " + strings.Join(names, ",")
	if c.inTx {
		call += " (inside a transaction)"
	}
	c.calls = append(c.calls, call)
	if c.fail != nil {
		return c.fail
	}
	c.on[kind] = true
	return nil
}

func (c *capturing) Captures() []driver.Capture {
	return []driver.Capture{driver.CDC, driver.ChangeTracking}
}

func (c *capturing) CaptureState(_ context.Context, tables []driver.SchemaTable) (driver.CaptureState, error) {
	st := driver.CaptureState{Tables: len(tables)}
	if c.on[driver.CDC] {
		st.CDC = len(tables)
	}
	if c.on[driver.ChangeTracking] {
		st.ChangeTracking = len(tables)
	}
	return st, nil
}

var (
	registerOnce sync.Once
	opened       = map[string]*capturing{}
	openedMu     sync.Mutex
)

// openCapturing opens a Simulator on a capturing target over a new DuckDB
// file and returns both.
func openCapturing(t *testing.T) (*originsim.Simulator, *capturing) {
	t.Helper()
	registerOnce.Do(func() {
		open := func(ctx context.Context, u *driver.URL) (driver.Target, error) {
			inner, err := driver.Open(ctx, "duckdb:"+u.Path)
			if err != nil {
				return nil, err
			}
			c := &capturing{Target: inner, on: map[driver.Capture]bool{}}
			openedMu.Lock()
			opened[u.Path] = c
			openedMu.Unlock()
			return c, nil
		}
		duck, _ := driver.Lookup("duckdb")
		driver.Register(&driver.Driver{Name: "capturetest", Schemes: []string{"capturetest"}, Open: open, Dialect: duck.Dialect, FileURL: true, NoCapture: duck.NoCapture})
	})
	path := filepath.Join(t.TempDir(), "c.duckdb")
	sim, err := originsim.Open(t.Context(), "capturetest:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	openedMu.Lock()
	defer openedMu.Unlock()
	return sim, opened[path]
}

func TestCaptureIsEnabledAfterCommit(t *testing.T) {
	ctx := t.Context()
	sim, c := openCapturing(t)
	st, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{EnableCDC: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Capture != "cdc" {
		t.Errorf("status after load-baseline --enable-cdc: capture %q", st.Capture)
	}
	if len(c.calls) != 1 {
		t.Fatalf("EnableCapture calls: %q", c.calls)
	}
	call := c.calls[0]
	if strings.Contains(call, "inside a transaction") {
		t.Errorf("capture enabled inside the operation's transaction: %s", call)
	}
	for _, tb := range model.Tables() {
		if !strings.Contains(call, model.DefaultSchemas.Of(tb.System)+"."+tb.Name) {
			t.Errorf("capture does not name %s: %s", tb.Name, call)
		}
	}
	if strings.Contains(call, model.LedgerTable) {
		t.Errorf("capture names the ledger: %s", call)
	}
	if st, err = sim.Status(ctx); err != nil || st.Capture != "cdc" {
		t.Errorf("status: capture %q, %v", st.Capture, err)
	}

	// Reset makes the tables anew: it switches the capture on again, and
	// adds one that is asked for.
	c.calls = nil
	if st, err = sim.Reset(ctx, originsim.BaselineOptions{ChangeTracking: true}); err != nil {
		t.Fatal(err)
	}
	if len(c.calls) != 2 || !strings.HasPrefix(c.calls[0], "change_tracking ") || !strings.HasPrefix(c.calls[1], "cdc ") {
		t.Errorf("reset --change-tracking after CDC: calls %q", c.calls)
	}
	if st.Capture != "cdc, change_tracking" {
		t.Errorf("after reset: capture %q", st.Capture)
	}
}

func TestCaptureFailureSaysTheDataIsLoaded(t *testing.T) {
	ctx := t.Context()
	sim, c := openCapturing(t)
	c.fail = errors.New("permission denied")
	_, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{EnableCDC: true})
	if err == nil || !strings.Contains(err.Error(), "load-baseline committed") || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("failed capture: %v", err)
	}
	// The data is there; asking again only switches the capture on.
	c.fail = nil
	st, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{EnableCDC: true})
	if err != nil || st.Day() != 0 || st.Capture != "cdc" {
		t.Fatalf("load-baseline --enable-cdc again: %+v, %v", st, err)
	}
}

func TestCaptureDoesNotApplyToDuckDB(t *testing.T) {
	ctx := t.Context()
	sim, err := originsim.Open(ctx, "duckdb:"+filepath.Join(t.TempDir(), "d.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	for _, o := range []originsim.BaselineOptions{{EnableCDC: true}, {ChangeTracking: true}} {
		_, err = sim.LoadBaseline(ctx, o)
		if !errors.Is(err, originsim.ErrUsage) || !strings.Contains(err.Error(), "does not apply to duckdb") {
			t.Errorf("load-baseline %+v on DuckDB: %v", o, err)
		}
		_, err = sim.Reset(ctx, o)
		if !errors.Is(err, originsim.ErrUsage) {
			t.Errorf("reset %+v on DuckDB: %v", o, err)
		}
	}
	_, err = sim.Status(ctx)
	if !errors.Is(err, originsim.ErrNotLoaded) {
		t.Fatalf("the refused loads changed something: status %v", err)
	}
	st, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{})
	if err != nil || st.Capture != "" {
		t.Fatalf("plain load: %+v %v", st, err)
	}
}
