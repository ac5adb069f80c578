package model

import (
	"slices"
	"strings"
	"testing"
)

// Accepted schema names are exactly the portable identifiers that no
// supported database keeps for itself: they can be used quoted or not on
// every target.
func FuzzValidateSchemaName(f *testing.F) {
	for _, s := range []string{"jaffle_shop", "shop_db", "_x", "1abc", "a-b", `x"; DROP SCHEMA y; --`, "ß", "", strings.Repeat("a", 64), "a\x00b", "`x`", "pg_x", "SYS", "main"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := ValidateSchemaName(name)
		portable := name != "" && len(name) <= MaxSchemaName && !(name[0] >= '0' && name[0] <= '9')
		for _, r := range name {
			portable = portable && (r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		}
		lower := strings.ToLower(name)
		system := strings.HasPrefix(lower, "pg_") || slices.Contains(systemSchemas, lower)
		if (err == nil) != (portable && !system) {
			t.Fatalf("ValidateSchemaName(%q) = %v, portable %v, a system schema %v", name, err, portable, system)
		}
		if err != nil && strings.Contains(err.Error(), name) && len(name) > 40 {
			t.Fatalf("the error repeats an over-long name whole: %v", err)
		}
	})
}

// ParseCents either refuses or round-trips exactly.
func FuzzParseCents(f *testing.F) {
	for _, s := range []string{"1299.99", "0.01", "-3.10", "7", ".5", "1.234", "abc", "", "99999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCents(s)
		if err != nil {
			return
		}
		back, err := ParseCents(c.String())
		if err != nil || back != c {
			t.Fatalf("ParseCents(%q) = %d, and its text %q reads back as %d, %v", s, c, c.String(), back, err)
		}
	})
}
