package cli

import (
	"strings"

	"github.com/originsim/originsim"
)

// flagNames are the command line's names for what the library's messages
// name (originsim.Term).
var flagNames = map[originsim.Term]string{
	originsim.TermAdopt:          "--adopt",
	originsim.TermDeletes:        "--deletes",
	originsim.TermEnableCDC:      "--enable-cdc",
	originsim.TermChangeTracking: "--change-tracking",
	originsim.TermSchemas:        "--shop-schema and --crm-schema",
	originsim.TermCRMSchema:      "--crm-schema",
	originsim.TermLoadBaseline:   "load-baseline",
	originsim.TermReset:          "reset",
	originsim.TermApplyDay:       "apply-delta --day",
	originsim.TermThrough:        "--through",
	originsim.TermForce:          "--force",
}

func flagName(t originsim.Term) string {
	if f, ok := flagNames[t]; ok {
		return f
	}
	return string(t)
}

// message is the error's text with the library's terms named by their
// flags and commands.
func message(err error) string {
	msg := err.Error()
	for _, e := range libraryErrors(err) {
		msg = strings.Replace(msg, e.Error(), e.Render(flagName), 1)
	}
	return msg
}

// libraryErrors lists the originsim.Errors in err's tree.
func libraryErrors(err error) []*originsim.Error {
	var out []*originsim.Error
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if e, ok := err.(*originsim.Error); ok {
			out = append(out, e)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return out
}
