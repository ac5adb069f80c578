package gen

import (
	"time"

	"github.com/originsim/originsim/model"
)

// order is an order as the state keeps it: its values without a pointer
// (times as microseconds since the epoch, the status as a number), 48
// bytes against model.Order's 128. The orders are most of a state's
// memory (half a million at scale 1000, more every day), and the garbage
// collector never has to scan these.
type order struct {
	ID, CustomerID            int64
	created, updated, deleted int64 // microseconds since the epoch; deleted 0: active
	date                      int32 // days since the epoch
	status                    orderStatus
}

// orderStatus is one of model's order statuses.
type orderStatus uint8

const (
	pending orderStatus = iota
	shipped
	completed
	cancelled
)

var statusNames = [...]string{pending: model.StatusPending, shipped: model.StatusShipped, completed: model.StatusCompleted, cancelled: model.StatusCancelled}

func (st orderStatus) String() string { return statusNames[st] }

// compact is o as the state keeps it. Generated orders only: their status
// is one of the four, their times whole microseconds in UTC.
func compact(o model.Order) order {
	c := order{ID: o.ID, CustomerID: o.CustomerID, created: o.CreatedAt.UnixMicro(), updated: o.UpdatedAt.UnixMicro(),
		date: int32(o.OrderDate.Unix() / 86400)}
	if !o.DeletedAt.IsZero() {
		c.deleted = o.DeletedAt.UnixMicro()
	}
	for st, name := range statusNames {
		if name == o.Status {
			c.status = orderStatus(st)
		}
	}
	return c
}

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// model is the order as the tables have it.
func (o *order) model() model.Order {
	m := model.Order{ID: o.ID, CustomerID: o.CustomerID, OrderDate: time.Unix(int64(o.date)*86400, 0).UTC(), Status: o.status.String(),
		Trio: model.Trio{CreatedAt: fromMicros(o.created), UpdatedAt: fromMicros(o.updated)}}
	if o.deleted != 0 {
		m.DeletedAt = fromMicros(o.deleted)
	}
	return m
}

func (o *order) createdAt() time.Time { return fromMicros(o.created) }

func (o *order) setUpdated(t time.Time) { o.updated = t.UnixMicro() }

func (o *order) setDeleted(t time.Time) { o.deleted = t.UnixMicro() }
