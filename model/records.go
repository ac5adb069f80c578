package model

import (
	"fmt"
	"time"
)

// The record types mirror the tables column for column. Zero times and zero
// customer ids stand for NULL where a column is nullable.

// Trio holds the change-detection columns.
type Trio struct {
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt time.Time // zero: active
}

// Active reports whether the row is not soft-deleted.
func (t Trio) Active() bool { return t.DeletedAt.IsZero() }

// row makes a record's row from its own values and the trio's in one
// allocation: a load makes millions of rows, and the garbage collector's
// work grows with every byte.
func (t Trio) row(own ...any) []any {
	var del any
	if !t.DeletedAt.IsZero() {
		del = t.DeletedAt
	}
	return append(append(make([]any, 0, len(own)+3), own...), t.CreatedAt, t.UpdatedAt, del)
}

func (t *Trio) scan(v []any) {
	t.CreatedAt, _ = v[0].(time.Time)
	t.UpdatedAt, _ = v[1].(time.Time)
	t.DeletedAt, _ = v[2].(time.Time)
}

type Customer struct {
	ID                  int64
	FirstName, LastName string
	Email               string
	Trio
}

type Product struct {
	ID             int64
	Name, Category string
	Price          Cents
	Trio
}

type Order struct {
	ID, CustomerID int64
	OrderDate      time.Time
	Status         string
	Trio
}

// Order statuses.
const (
	StatusPending   = "pending"
	StatusShipped   = "shipped"
	StatusCompleted = "completed"
	StatusCancelled = "cancelled"
)

type OrderItem struct {
	ID, OrderID, ProductID int64
	Quantity               int64
	UnitPrice              Cents
	Trio
}

type Payment struct {
	ID, OrderID int64
	Method      string
	Amount      Cents
	Trio
}

type Campaign struct {
	ID                 int64
	Name               string
	StartDate, EndDate time.Time
	Budget             Cents
	Trio
}

type Email struct {
	ID, CustomerID, CampaignID int64
	SentDate                   time.Time
	Opened, Clicked            bool
	Trio
}

type WebSession struct {
	ID                       int64
	CustomerID               int64 // 0: anonymous (NULL)
	SessionStart, SessionEnd time.Time
	PageViews                int64
	Trio
}

func (r *Customer) Values() []any {
	return r.Trio.row(r.ID, r.FirstName, r.LastName, r.Email)
}
func (r *Product) Values() []any {
	return r.Trio.row(r.ID, r.Name, r.Category, r.Price)
}
func (r *Order) Values() []any {
	return r.Trio.row(r.ID, r.CustomerID, r.OrderDate, r.Status)
}
func (r *OrderItem) Values() []any {
	return r.Trio.row(r.ID, r.OrderID, r.ProductID, r.Quantity, r.UnitPrice)
}
func (r *Payment) Values() []any {
	return r.Trio.row(r.ID, r.OrderID, r.Method, r.Amount)
}
func (r *Campaign) Values() []any {
	return r.Trio.row(r.ID, r.Name, r.StartDate, r.EndDate, r.Budget)
}
func (r *Email) Values() []any {
	return r.Trio.row(r.ID, r.CustomerID, r.CampaignID, r.SentDate, r.Opened, r.Clicked)
}
func (r *WebSession) Values() []any {
	var cust any
	if r.CustomerID != 0 {
		cust = r.CustomerID
	}
	return r.Trio.row(r.ID, cust, r.SessionStart, r.SessionEnd, r.PageViews)
}

// Dataset is the full content of the eight tables, each in key order.
type Dataset struct {
	Customers     []Customer
	Products      []Product
	Orders        []Order
	OrderItems    []OrderItem
	Payments      []Payment
	Campaigns     []Campaign
	EmailActivity []Email
	WebSessions   []WebSession
}

// Len is the number of rows of table id.
func (d *Dataset) Len(id TableID) int {
	switch id {
	case Customers:
		return len(d.Customers)
	case Products:
		return len(d.Products)
	case Orders:
		return len(d.Orders)
	case OrderItems:
		return len(d.OrderItems)
	case Payments:
		return len(d.Payments)
	case Campaigns:
		return len(d.Campaigns)
	case EmailActivity:
		return len(d.EmailActivity)
	case WebSessions:
		return len(d.WebSessions)
	}
	return 0
}

// Row returns row i of table id as values in column order.
func (d *Dataset) Row(id TableID, i int) []any {
	switch id {
	case Customers:
		return d.Customers[i].Values()
	case Products:
		return d.Products[i].Values()
	case Orders:
		return d.Orders[i].Values()
	case OrderItems:
		return d.OrderItems[i].Values()
	case Payments:
		return d.Payments[i].Values()
	case Campaigns:
		return d.Campaigns[i].Values()
	case EmailActivity:
		return d.EmailActivity[i].Values()
	case WebSessions:
		return d.WebSessions[i].Values()
	}
	panic("model: unknown table")
}

// Append decodes a row of normalised values (see Normalize) into table id.
func (d *Dataset) Append(id TableID, v []any) error {
	t := Get(id)
	if len(v) != len(t.Columns) {
		return fmt.Errorf("%s: row has %d values, want %d", t.Name, len(v), len(t.Columns))
	}
	for i, c := range t.Columns {
		if v[i] == nil && !c.Nullable {
			return fmt.Errorf("%s.%s is NULL", t.Name, c.Name)
		}
	}
	i64 := func(x any) int64 { n, _ := x.(int64); return n }
	str := func(x any) string { s, _ := x.(string); return s }
	tm := func(x any) time.Time { s, _ := x.(time.Time); return s }
	money := func(x any) Cents { s, _ := x.(Cents); return s }
	boolean := func(x any) bool { s, _ := x.(bool); return s }
	var trio Trio
	trio.scan(v[len(v)-3:])
	switch id {
	case Customers:
		d.Customers = append(d.Customers, Customer{i64(v[0]), str(v[1]), str(v[2]), str(v[3]), trio})
	case Products:
		d.Products = append(d.Products, Product{i64(v[0]), str(v[1]), str(v[2]), money(v[3]), trio})
	case Orders:
		d.Orders = append(d.Orders, Order{i64(v[0]), i64(v[1]), tm(v[2]), str(v[3]), trio})
	case OrderItems:
		d.OrderItems = append(d.OrderItems, OrderItem{i64(v[0]), i64(v[1]), i64(v[2]), i64(v[3]), money(v[4]), trio})
	case Payments:
		d.Payments = append(d.Payments, Payment{i64(v[0]), i64(v[1]), str(v[2]), money(v[3]), trio})
	case Campaigns:
		d.Campaigns = append(d.Campaigns, Campaign{i64(v[0]), str(v[1]), tm(v[2]), tm(v[3]), money(v[4]), trio})
	case EmailActivity:
		d.EmailActivity = append(d.EmailActivity, Email{i64(v[0]), i64(v[1]), i64(v[2]), tm(v[3]), boolean(v[4]), boolean(v[5]), trio})
	case WebSessions:
		d.WebSessions = append(d.WebSessions, WebSession{i64(v[0]), i64(v[1]), tm(v[2]), tm(v[3]), i64(v[4]), trio})
	}
	return nil
}

// Fingerprint hashes table id of the dataset (see Hasher).
func (d *Dataset) Fingerprint(id TableID) string {
	h := NewHasher(Get(id))
	for i, n := 0, d.Len(id); i < n; i++ {
		h.Add(d.Row(id, i))
	}
	return h.Sum()
}
