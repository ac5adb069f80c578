package check

import (
	"strconv"
	"strings"

	"github.com/originsim/originsim/model"
)

// The rules of the shop's tables (jaffle_shop).

func customerRules() []Rule {
	return append(rowRules(model.Customers),
		Rule{
			Name: "email is first.last<id>@example.com", Table: "customers",
			Description: "A customer's email is made of their lower-cased names and key, so an email change keeps it valid and unique.",
			Check:       customerEmail,
		},
	)
}

func customerEmail(in *Input, fail func(int64)) {
	for _, x := range in.d.Customers {
		want := strings.ToLower(x.FirstName) + "." + strings.ToLower(x.LastName) + strconv.FormatInt(x.ID, 10) + "@example.com"
		if x.Email != want {
			fail(x.ID)
		}
	}
}

func productRules() []Rule {
	return append(rowRules(model.Products),
		Rule{
			Name: "price positive, known category", Table: "products",
			Description: "Every product costs something and belongs to one of the six categories of the data model.",
			Check:       productPriceCategory,
		},
	)
}

var categories = map[string]bool{"Electronics": true, "Furniture": true, "Office": true, "Stationery": true, "Accessories": true, "Decor": true}

func productPriceCategory(in *Input, fail func(int64)) {
	for _, x := range in.d.Products {
		if !(x.Price > 0 && categories[x.Category]) {
			fail(x.ID)
		}
	}
}

func orderRules() []Rule {
	return append(rowRules(model.Orders),
		Rule{
			Name: "customer_id references customers", Table: "orders",
			Description: "Every order belongs to a customer who is there.",
			Check:       orderCustomer,
			Custom:      true,
		},
		Rule{
			Name: "status is pending, shipped, completed or cancelled; cancelled exactly when soft-deleted", Table: "orders",
			Description: "The status is one of the four of the data model, and a cancelled order is the soft-deleted one.",
			Check:       orderStatus,
		},
		Rule{
			Name: "no active order of a soft-deleted customer", Table: "orders",
			Description: "A customer who leaves takes their open orders with them.",
			Check:       orderOfLeaver,
		},
		Rule{
			Name: "order_date is the date the order was created", Table: "orders",
			Description: "order_date is the calendar day of created_at.",
			Check:       orderDate,
		},
	)
}

func orderCustomer(in *Input, fail func(int64)) {
	for _, x := range in.d.Orders {
		if in.customers[x.CustomerID] == nil {
			fail(x.ID)
		}
	}
}

var statuses = map[string]bool{model.StatusPending: true, model.StatusShipped: true, model.StatusCompleted: true, model.StatusCancelled: true}

func orderStatus(in *Input, fail func(int64)) {
	for _, x := range in.d.Orders {
		if !statuses[x.Status] || (x.Status == model.StatusCancelled) != !x.Active() {
			fail(x.ID)
		}
	}
}

func orderOfLeaver(in *Input, fail func(int64)) {
	for _, x := range in.d.Orders {
		if cu := in.customers[x.CustomerID]; x.Active() && cu != nil && !cu.Active() {
			fail(x.ID)
		}
	}
}

func orderDate(in *Input, fail func(int64)) {
	for _, x := range in.d.Orders {
		if !x.OrderDate.Equal(model.Day(x.CreatedAt)) {
			fail(x.ID)
		}
	}
}

// itemRules end with a rule on orders: it counts their items.
func itemRules() []Rule {
	return append(rowRules(model.OrderItems),
		Rule{
			Name: "order_id and product_id reference orders and products", Table: "order_items",
			Description: "Every item belongs to an order that is there and names a product that is there.",
			Check:       itemReferences,
			Custom:      true,
		},
		Rule{
			Name: "quantity >= 1, unit_price > 0", Table: "order_items",
			Description: "An item is at least one unit of something that costs money.",
			Check:       itemQuantityPrice,
		},
		Rule{
			Name: "unit_price is the current price for orders placed after the product's last change", Table: "order_items",
			Description: "An item is sold at the product's price in effect when the order is placed, so a price change shows in later orders only.",
			Check:       itemCurrentPrice,
		},
		Rule{
			Name: "every order has 1 to 5 items", Table: "orders",
			Description: "No order is empty, and none has more than five items.",
			Check:       orderItemCount,
		},
	)
}

func itemReferences(in *Input, fail func(int64)) {
	for _, x := range in.d.OrderItems {
		if in.orders[x.OrderID] == nil || in.products[x.ProductID] == nil {
			fail(x.ID)
		}
	}
}

func itemQuantityPrice(in *Input, fail func(int64)) {
	for _, x := range in.d.OrderItems {
		if !(x.Quantity >= 1 && x.UnitPrice > 0) {
			fail(x.ID)
		}
	}
}

// itemCurrentPrice holds an item to its product's price only where the order
// came after the product's last change: earlier ones were sold at a price
// the state no longer shows.
func itemCurrentPrice(in *Input, fail func(int64)) {
	for _, x := range in.d.OrderItems {
		o, p := in.orders[x.OrderID], in.products[x.ProductID]
		if o != nil && p != nil && !o.CreatedAt.Before(p.UpdatedAt) && x.UnitPrice != p.Price {
			fail(x.ID)
		}
	}
}

func orderItemCount(in *Input, fail func(int64)) {
	for _, x := range in.d.Orders {
		if n := in.items[x.ID]; n < 1 || n > 5 {
			fail(x.ID)
		}
	}
}

// paymentRules end with two rules on orders: they add up their payments.
func paymentRules() []Rule {
	return append(rowRules(model.Payments),
		Rule{
			Name: "order_id references orders", Table: "payments",
			Description: "Every payment pays for an order that is there.",
			Check:       paymentOrder,
			Custom:      true,
		},
		Rule{
			Name: "amount positive, known payment_method", Table: "payments",
			Description: "Payments are positive and made with one of the five methods of the data model.",
			Check:       paymentAmountMethod,
		},
		Rule{
			Name: "payments add up to the order total, to the cent", Table: "orders",
			Description: "The payments of a paid order (one, or a split across methods) add up exactly to the sum of its items' quantity x unit_price.",
			Check:       orderPaidInFull,
		},
		Rule{
			Name: "an order with payments is not pending", Table: "orders",
			Description: "Payment is what moves an order on: a paid order is never pending at the end of the day.",
			Check:       orderPaidNotPending,
		},
	)
}

func paymentOrder(in *Input, fail func(int64)) {
	for _, x := range in.d.Payments {
		if in.orders[x.OrderID] == nil {
			fail(x.ID)
		}
	}
}

var methods = map[string]bool{"credit_card": true, "bank_transfer": true, "paypal": true, "gift_card": true, "coupon": true}

func paymentAmountMethod(in *Input, fail func(int64)) {
	for _, x := range in.d.Payments {
		if !(x.Amount > 0 && methods[x.Method]) {
			fail(x.ID)
		}
	}
}

// orderPaidInFull goes by the order keys the payments name, including keys
// of orders that are not there.
func orderPaidInFull(in *Input, fail func(int64)) {
	for _, id := range in.paidOrders() {
		if in.paid[id] != in.total[id] {
			fail(id)
		}
	}
}

func orderPaidNotPending(in *Input, fail func(int64)) {
	for _, x := range in.d.Orders {
		if in.paid[x.ID] != 0 && x.Status == model.StatusPending {
			fail(x.ID)
		}
	}
}
