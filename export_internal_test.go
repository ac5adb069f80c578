package originsim

// The writers and the COPY statement, for the tests of package
// originsim_test.
var (
	AppendCSVRow  = appendCSVRow
	AppendJSONRow = appendJSONRow
	CopySelect    = copySelect
	CopyTo        = copyTo
)

// Contains tells whether row k of n belongs to the shard.
func (sh Shard) Contains(k, n int) bool { return sh.contains(k, n) }
