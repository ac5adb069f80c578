package cli

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// printable returns s with every character a terminal would act on instead
// of showing escaped, so text read from a database (the ledger's
// tool_version and operation, a name) cannot move the cursor, recolour the
// screen, rewrite a line or reorder it: control characters (C0, DEL, C1;
// newlines and tabs too) as \x1b or \u009b, Unicode's bidirectional
// controls as \u202e, invalid UTF-8 bytes as \xff. A backslash stays as it
// is: the output is for people, not to be parsed back.
func printable(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || bidi(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// printableLines is printable for text laid out in lines (cobra's
// suggestions): line breaks and tabs kept, the rest escaped.
func printableLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		cells := strings.Split(l, "\t")
		for j, c := range cells {
			cells[j] = printable(c)
		}
		lines[i] = strings.Join(cells, "\t")
	}
	return strings.Join(lines, "\n")
}

// oneLine is printable for a message that must stay one line: its lines
// escaped and joined with "; ", empty ones dropped, so text read from a
// database cannot start a line of its own.
func oneLine(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, printable(l))
		}
	}
	return strings.Join(lines, "; ")
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 || unicode.IsControl(r) || bidi(r) {
			return true
		}
		i += size
	}
	return false
}

// bidi says whether r is one of Unicode's bidirectional formatting
// characters, which reorder the text shown around them.
func bidi(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}
