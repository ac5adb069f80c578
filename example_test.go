package originsim_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/originsim/originsim"
	_ "github.com/originsim/originsim/driver/duckdb" // the program registers the databases it opens
)

func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "originsim-example")
	defer os.RemoveAll(dir)

	sim, err := originsim.Open(ctx, "duckdb:"+filepath.Join(dir, "demo.duckdb"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()
	if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
		fmt.Println(err)
		return
	}
	st, err := sim.ApplyDelta(ctx, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range st.Tables {
		fmt.Printf("%s: %d\n", t.Name(), t.Rows)
	}
	rep, err := sim.Verify(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("day", rep.Day, "verified:", rep.OK)
	// Output:
	// jaffle_shop.customers: 125
	// jaffle_shop.products: 20
	// jaffle_shop.orders: 560
	// jaffle_shop.order_items: 1303
	// jaffle_shop.payments: 272
	// jaffle_crm.campaigns: 5
	// jaffle_crm.email_activity: 150
	// jaffle_crm.web_sessions: 200
	// day 1 verified: true
}
