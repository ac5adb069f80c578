package export

// The writers, for the tests of package export_test.
var (
	AppendCSVRow  = appendCSVRow
	AppendJSONRow = appendJSONRow
)

// Contains tells whether row k of n belongs to the shard.
func (sh Shard) Contains(k, n int) bool { return sh.contains(k, n) }
