package driver

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Opener opens a target from a parsed URL.
type Opener func(ctx context.Context, u *URL) (Target, error)

// Driver is what originsim knows of one database, in one place. A driver
// package fills it in and registers it from its init function.
type Driver struct {
	// Name is the database's name in messages: its dialect's Name.
	Name string
	// Title is the database's name for people ("SQL Server").
	Title string
	// Schemes are the URL schemes it opens (postgres, postgresql).
	Schemes []string
	// Open connects to a database of this kind.
	Open Opener
	// Dialect renders its SQL, for scripts written without a connection.
	Dialect Dialect
	// DialectNames are the other names the sql command takes for Dialect;
	// the schemes are taken too.
	DialectNames []string
	// FileURL says the part after "scheme:" is a file path (duckdb:PATH),
	// never a server URL, even when it starts with //.
	FileURL bool
	// SeparateDatabases says the URL takes separate_databases=true: each
	// system a database of its own instead of a schema.
	SeparateDatabases bool
	// Layout says, for messages, how the two systems are laid out when the
	// layout is fixed ("MySQL's systems are always databases").
	Layout string
	// ProfileTypes are the dbt adapter types whose profiles it reads, and
	// ProfileURL turns one output of such a profile into a URL.
	ProfileTypes []string
	ProfileURL   func(p Profile) (string, error)
	// NoCapture says, for a change capture the database cannot switch on,
	// what comes nearest; the key "" answers for every capture. {cdc} and
	// {change_tracking} in the text stand for the caller's way of asking
	// for that capture (an option, a flag).
	NoCapture map[Capture]string
	// Server describes where a URL of this driver points (see ServerOf).
	Server func(u *URL) Server
}

// registry holds the registered drivers. It is filled by the driver
// packages' init functions, the way database/sql drivers register
// themselves, and not changed afterwards.
type registry struct {
	mu       sync.RWMutex
	drivers  []*Driver
	schemes  map[string]*Driver
	dialects map[string]*Driver
	profiles map[string]*Driver
}

var drivers = registry{schemes: map[string]*Driver{}, dialects: map[string]*Driver{}, profiles: map[string]*Driver{}}

// Register makes a driver available under its schemes, dialect names and
// profile types. Registering a name twice panics: two drivers would
// otherwise answer for one URL.
func Register(d *Driver) {
	if d == nil || d.Name == "" || d.Open == nil || d.Dialect == nil || len(d.Schemes) == 0 {
		panic("driver: Register needs a name, schemes, an opener and a dialect")
	}
	drivers.mu.Lock()
	defer drivers.mu.Unlock()
	for _, other := range drivers.drivers {
		if other.Name == d.Name {
			panic(fmt.Sprintf("driver: %s registered twice", d.Name))
		}
	}
	claims := []struct {
		m     map[string]*Driver
		what  string
		names []string
	}{
		{drivers.schemes, "scheme", d.Schemes},
		{drivers.dialects, "dialect", append(slices.Clone(d.Schemes), d.DialectNames...)},
		{drivers.profiles, "profile type", d.ProfileTypes},
	}
	// Check every name before taking any, so a refused driver leaves
	// nothing behind.
	for _, c := range claims {
		for _, n := range c.names {
			if other, ok := c.m[strings.ToLower(n)]; ok {
				panic(fmt.Sprintf("driver: %s %q registered twice (%s and %s)", c.what, n, other.Name, d.Name))
			}
		}
	}
	for _, c := range claims {
		for _, n := range c.names {
			c.m[strings.ToLower(n)] = d
		}
	}
	drivers.drivers = append(drivers.drivers, d)
}

// Lookup returns the driver of a URL scheme (case does not matter).
func Lookup(scheme string) (*Driver, bool) {
	drivers.mu.RLock()
	defer drivers.mu.RUnlock()
	d, ok := drivers.schemes[strings.ToLower(scheme)]
	return d, ok
}

// ForProfileType returns the driver that reads dbt profiles of a type.
func ForProfileType(typ string) (*Driver, bool) {
	drivers.mu.RLock()
	defer drivers.mu.RUnlock()
	d, ok := drivers.profiles[typ]
	return d, ok
}

// Drivers lists the registered drivers, by name.
func Drivers() []*Driver {
	drivers.mu.RLock()
	defer drivers.mu.RUnlock()
	out := slices.Clone(drivers.drivers)
	slices.SortFunc(out, func(a, b *Driver) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Schemes lists the registered URL schemes.
func Schemes() []string { return sortedKeys(drivers.schemes) }

// DialectNames lists the names DialectByName accepts, sorted.
func DialectNames() []string { return sortedKeys(drivers.dialects) }

// ProfileTypes lists the dbt profile types the drivers read: each
// driver's first, sorted.
func ProfileTypes() []string {
	var out []string
	for _, d := range Drivers() {
		if len(d.ProfileTypes) > 0 {
			out = append(out, d.ProfileTypes[0])
		}
	}
	slices.Sort(out)
	return out
}

func sortedKeys(m map[string]*Driver) []string {
	drivers.mu.RLock()
	defer drivers.mu.RUnlock()
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// DialectByName returns the dialect of a database by name (duckdb,
// postgres, mysql, ...; case does not matter).
func DialectByName(name string) (Dialect, error) {
	drivers.mu.RLock()
	d, ok := drivers.dialects[strings.ToLower(strings.TrimSpace(name))]
	drivers.mu.RUnlock()
	if ok {
		return d.Dialect, nil
	}
	return nil, fmt.Errorf("unknown dialect %q: use one of %s", name, strings.Join(DialectNames(), ", "))
}

// Open parses the URL and opens the registered target for its scheme.
func Open(ctx context.Context, raw string, opts ...OpenOption) (Target, error) {
	_, t, err := OpenDriver(ctx, raw, opts...)
	return t, err
}

// OpenDriver is Open that also returns the driver, whose description the
// caller consults (change capture, layout).
func OpenDriver(ctx context.Context, raw string, opts ...OpenOption) (*Driver, Target, error) {
	u, err := ParseURL(raw)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range opts {
		o(u)
	}
	d, ok := Lookup(u.Scheme)
	if !ok {
		supported := strings.Join(Schemes(), ", ")
		if supported == "" {
			supported = "none registered (a program imports the drivers it wants: github.com/originsim/originsim/driver/all for every one)"
		}
		return nil, nil, fmt.Errorf("%w %q: unknown scheme %q; supported: %s", ErrURL, u.Redacted(), u.Scheme, supported)
	}
	t, err := d.Open(ctx, u)
	if err != nil {
		return nil, nil, err
	}
	return d, t, nil
}

// Advice says what comes nearest to capture c on a database that cannot
// switch it on, or "" when the driver says nothing.
func (d *Driver) Advice(c Capture) string {
	if why, ok := d.NoCapture[c]; ok {
		return why
	}
	return d.NoCapture[""]
}
