// Package model defines the eight tables of the two simulated source systems
// once: columns, types, keys and foreign-key order. DDL for every dialect, the
// fingerprints, verify and the generated extras all read this one definition,
// so they cannot drift apart.
package model

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Kind is the logical type of a column; each dialect maps it to its own type.
type Kind int

const (
	Int       Kind = iota // INTEGER
	Text                  // VARCHAR(Size)
	Decimal               // DECIMAL(10,2), held as Cents
	Date                  // DATE, held as time.Time at UTC midnight
	Timestamp             // TIMESTAMP without time zone, microseconds, held as UTC time.Time
	Bool                  // BOOLEAN
)

func (k Kind) String() string {
	switch k {
	case Int:
		return "INTEGER"
	case Text:
		return "VARCHAR"
	case Decimal:
		return "DECIMAL(10,2)"
	case Date:
		return "DATE"
	case Timestamp:
		return "TIMESTAMP"
	case Bool:
		return "BOOLEAN"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// System is one of the two simulated source systems.
type System int

const (
	Shop System = iota // the e-commerce ERP, default schema jaffle_shop
	CRM                // the marketing CRM, default schema jaffle_crm
)

func (s System) String() string {
	if s == Shop {
		return "shop"
	}
	return "crm"
}

// Column is one column of a table.
type Column struct {
	Name        string
	Kind        Kind
	Size        int // VARCHAR length; 0 for other kinds
	Nullable    bool
	Description string
}

// ForeignKey is a reference from Column to the key of table Ref. Enforced is
// false for the logical references that cross from the CRM into the shop:
// they are checked by verify, never declared to the database.
type ForeignKey struct {
	Column   string
	Ref      TableID
	Enforced bool
}

// TableID names a table; the constants are in foreign-key (load) order.
type TableID int

const (
	Customers TableID = iota
	Products
	Orders
	OrderItems
	Payments
	Campaigns
	EmailActivity
	WebSessions
	NumTables = 8
)

// Table is the definition of one table. The first column is the integer
// primary key.
type Table struct {
	ID          TableID
	System      System
	Name        string
	Columns     []Column
	ForeignKeys []ForeignKey
	Description string
}

// Key is the primary-key column.
func (t *Table) Key() string { return t.Columns[0].Name }

// Col returns the position of the named column, or -1.
func (t *Table) Col(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// ColumnNames lists the column names in table order.
func (t *Table) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

func col(name string, kind Kind, size int, desc string) Column {
	return Column{Name: name, Kind: kind, Size: size, Description: desc}
}

func nullable(c Column) Column { c.Nullable = true; return c }

// trio are the change-detection columns every table carries.
var trio = []Column{
	col("created_at", Timestamp, 0, "When the row was created in the source system."),
	col("updated_at", Timestamp, 0, "When the row was last changed; the watermark for incremental loads."),
	nullable(col("deleted_at", Timestamp, 0, "Soft delete: NULL while active, set when the row is retired.")),
}

func withTrio(cols ...Column) []Column { return append(cols, trio...) }

var tables = [NumTables]*Table{
	{ID: Customers, System: Shop, Name: "customers", Description: "Customer master data; a customer who leaves is soft-deleted.",
		Columns: withTrio(
			col("customer_id", Int, 0, "Customer key."),
			col("first_name", Text, 50, "First name."),
			col("last_name", Text, 50, "Last name; changes when a customer changes name and email."),
			col("email", Text, 100, "Email address, first.last<id>@example.com."),
		)},
	{ID: Products, System: Shop, Name: "products", Description: "Product catalog with prices; a discontinued product is soft-deleted.",
		Columns: withTrio(
			col("product_id", Int, 0, "Product key."),
			col("name", Text, 100, "Product name."),
			col("category", Text, 50, "Electronics, Furniture, Office, Stationery, Accessories or Decor."),
			col("price", Decimal, 0, "Current list price."),
		)},
	{ID: Orders, System: Shop, Name: "orders", Description: "Order headers with status tracking; a cancelled order is soft-deleted.",
		Columns: withTrio(
			col("order_id", Int, 0, "Order key."),
			col("customer_id", Int, 0, "The ordering customer."),
			col("order_date", Date, 0, "The day the order was placed."),
			col("status", Text, 20, "pending, shipped, completed or cancelled; moves forward only."),
		),
		ForeignKeys: []ForeignKey{{Column: "customer_id", Ref: Customers, Enforced: true}}},
	{ID: OrderItems, System: Shop, Name: "order_items", Description: "Order lines; unit_price is the product price on the order date.",
		Columns: withTrio(
			col("order_item_id", Int, 0, "Order line key."),
			col("order_id", Int, 0, "The order."),
			col("product_id", Int, 0, "The product."),
			col("quantity", Int, 0, "Units ordered, at least 1."),
			col("unit_price", Decimal, 0, "Price per unit when the order was placed."),
		),
		ForeignKeys: []ForeignKey{{Column: "order_id", Ref: Orders, Enforced: true}, {Column: "product_id", Ref: Products, Enforced: true}}},
	{ID: Payments, System: Shop, Name: "payments", Description: "Payments; an order's payments add up to its total, to the cent.",
		Columns: withTrio(
			col("payment_id", Int, 0, "Payment key."),
			col("order_id", Int, 0, "The order paid."),
			col("payment_method", Text, 20, "credit_card, bank_transfer, paypal, gift_card or coupon."),
			col("amount", Decimal, 0, "Amount paid, positive."),
		),
		ForeignKeys: []ForeignKey{{Column: "order_id", Ref: Orders, Enforced: true}}},
	{ID: Campaigns, System: CRM, Name: "campaigns", Description: "Marketing campaigns of about a month; an archived campaign is soft-deleted.",
		Columns: withTrio(
			col("campaign_id", Int, 0, "Campaign key."),
			col("campaign_name", Text, 100, "Campaign name."),
			col("start_date", Date, 0, "First day of the campaign."),
			col("end_date", Date, 0, "Last day of the campaign."),
			col("budget", Decimal, 0, "Budget."),
		)},
	{ID: EmailActivity, System: CRM, Name: "email_activity", Description: "Campaign emails sent to customers, with opens and clicks.",
		Columns: withTrio(
			col("activity_id", Int, 0, "Email activity key."),
			col("customer_id", Int, 0, "Recipient; refers to the shop's customers (logical, not enforced)."),
			col("campaign_id", Int, 0, "The campaign the email belongs to."),
			col("sent_date", Timestamp, 0, "When the email was sent; inside its campaign."),
			col("opened", Bool, 0, "Whether the email was opened."),
			col("clicked", Bool, 0, "Whether a link was clicked; implies opened."),
		),
		ForeignKeys: []ForeignKey{{Column: "customer_id", Ref: Customers}, {Column: "campaign_id", Ref: Campaigns, Enforced: true}}},
	{ID: WebSessions, System: CRM, Name: "web_sessions", Description: "Website sessions; anonymous sessions have no customer.",
		Columns: withTrio(
			col("session_id", Int, 0, "Session key."),
			nullable(col("customer_id", Int, 0, "Signed-in customer, NULL when anonymous (logical reference, not enforced).")),
			col("session_start", Timestamp, 0, "Session start."),
			col("session_end", Timestamp, 0, "Session end, 2 to 30 minutes after the start."),
			col("page_views", Int, 0, "Pages viewed, 3 to 20."),
		),
		ForeignKeys: []ForeignKey{{Column: "customer_id", Ref: Customers}}},
}

// Tables returns the eight tables in foreign-key order: every table comes
// after the tables it references. Callers must not modify them.
func Tables() []*Table { return tables[:] }

// Get returns the table with the given id.
func Get(id TableID) *Table { return tables[id] }

// ByName finds a table by its unqualified name.
func ByName(name string) (*Table, bool) {
	for _, t := range tables {
		if t.Name == name {
			return t, true
		}
	}
	return nil, false
}

// Schemas are the names of the two systems in the target database (schemas,
// or databases where the target calls them so).
type Schemas struct {
	Shop string
	CRM  string
}

// DefaultSchemas are the names the original package used.
var DefaultSchemas = Schemas{Shop: "jaffle_shop", CRM: "jaffle_crm"}

// Of returns the schema holding the given system.
func (s Schemas) Of(sys System) string {
	if sys == Shop {
		return s.Shop
	}
	return s.CRM
}

// MaxSchemaName is the longest schema name accepted: the smallest identifier
// limit among the supported databases (MySQL's 64, PostgreSQL's 63).
const MaxSchemaName = 63

var schemaNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ErrSchemaName is wrapped by every schema-name validation error.
var ErrSchemaName = fmt.Errorf("invalid schema name")

// systemSchemas are the names a supported database keeps for itself: its
// catalogs (information_schema; PostgreSQL's pg_catalog and every pg_
// name, which it reserves; DuckDB's temp and system), MySQL's system
// databases (mysql, performance_schema, sys), SQL Server's system schemas
// (sys, guest and its roles' db_ schemas) and its system databases, which
// --separate-databases would write into (master, model, msdb, tempdb;
// model is the template of every new database). The two systems' tables
// never belong there, on any database: the names are refused everywhere,
// in any case. The default schemas (DuckDB's main, PostgreSQL's public,
// SQL Server's dbo) are ordinary schemas users load into, and stay
// allowed: a schema holding tables originsim did not make is refused by
// the operations themselves.
var systemSchemas = []string{
	"information_schema", "temp", "system", "mysql", "performance_schema", "sys", "guest",
	"db_owner", "db_accessadmin", "db_securityadmin", "db_ddladmin", "db_backupoperator",
	"db_datareader", "db_datawriter", "db_denydatareader", "db_denydatawriter",
	"master", "model", "msdb", "tempdb",
}

// ValidateSchemaName accepts letters, digits and underscores, not starting
// with a digit, at most MaxSchemaName characters, and not the name of a
// system schema. Names are also quoted wherever they are used; validation
// keeps them portable across databases.
func ValidateSchemaName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty", ErrSchemaName)
	case len(name) > MaxSchemaName:
		return fmt.Errorf("%w: %q is %d characters, at most %d allowed", ErrSchemaName, truncate(name, 20), len(name), MaxSchemaName)
	case !schemaNameRE.MatchString(name):
		return fmt.Errorf("%w: %q: use letters, digits and underscores, not starting with a digit", ErrSchemaName, truncate(name, 40))
	case len(name) >= 3 && strings.EqualFold(name[:3], "pg_"),
		slices.ContainsFunc(systemSchemas, func(s string) bool { return strings.EqualFold(s, name) }):
		return fmt.Errorf("%w: %q is a system schema of a supported database (information_schema, pg_*, mysql, sys, temp, ...): choose a name of your own", ErrSchemaName, name)
	}
	return nil
}

// Validate checks both names and that they differ.
func (s Schemas) Validate() error {
	if err := ValidateSchemaName(s.Shop); err != nil {
		return fmt.Errorf("shop schema: %w", err)
	}
	if err := ValidateSchemaName(s.CRM); err != nil {
		return fmt.Errorf("crm schema: %w", err)
	}
	if strings.EqualFold(s.Shop, s.CRM) {
		return fmt.Errorf("%w: shop and crm schemas must differ (both %q)", ErrSchemaName, s.Shop)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// LedgerTable is the table originsim owns in the shop schema: it records what
// the tool made and which day the data is at.
const LedgerTable = "originsim_ledger"
