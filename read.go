package originsim

import (
	"context"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// Snapshot is the two systems as one transaction sees them, for code that
// reads the data outside this package (package export): the transaction,
// its dialect, the ledger and the schema names. It is valid only inside
// the function Read hands it to.
type Snapshot struct {
	Tx      driver.Tx
	Dialect driver.Dialect
	Ledger  *Ledger
	Schemas model.Schemas
	sim     *Simulator
}

// Status counts the rows as the snapshot sees them.
func (sn *Snapshot) Status(ctx context.Context) (*Status, error) {
	return sn.sim.status(ctx, sn.Tx, sn.Ledger)
}

// Read runs fn on a snapshot of the loaded systems, in one transaction
// (ErrNotLoaded when the database holds no originsim data). fn must only
// read.
func (s *Simulator) Read(ctx context.Context, fn func(ctx context.Context, sn *Snapshot) error) error {
	return s.run(ctx, func(tx driver.Tx) error {
		f, err := s.loaded(ctx, tx)
		if err != nil {
			return err
		}
		return fn(ctx, &Snapshot{Tx: tx, Dialect: s.t.Dialect(), Ledger: f.ledger, Schemas: s.schemas, sim: s})
	})
}
