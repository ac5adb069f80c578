package gen

import "github.com/originsim/originsim/model"

var firstNames = []string{
	"Emma", "Liam", "Olivia", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas",
	"Mia", "Mason", "Amelia", "Ethan", "Harper", "Logan", "Evelyn", "Jacob", "Abigail", "Michael",
	"Emily", "Daniel", "Ella", "Henry", "Avery", "Jackson", "Scarlett", "Sebastian", "Grace", "Aiden",
	"Chloe", "Matthew", "Victoria", "Samuel", "Riley", "David", "Aria", "Joseph", "Lily", "Carter",
	"Aubrey", "Owen", "Zoey", "Wyatt", "Hannah", "John", "Layla", "Jack", "Nora", "Luke",
	"Zoe", "Jayden", "Leah", "Dylan", "Hazel", "Grayson", "Violet", "Levi", "Aurora", "Isaac",
	"Maya", "Nathan", "Stella", "Ryan",
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
	"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
	"Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
	"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
	"Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
	"Stewart", "Morris", "Morales", "Murphy",
}

type catalogEntry struct {
	name, category string
	price          model.Cents
}

// catalog is the product list; its order is the product ids.
var catalog = []catalogEntry{
	{"Laptop Pro", "Electronics", 129999},
	{"Wireless Mouse", "Electronics", 2999},
	{"Office Chair", "Furniture", 24999},
	{"Notebook Pack", "Stationery", 1299},
	{"Mechanical Keyboard", "Electronics", 8999},
	{"Standing Desk", "Furniture", 49999},
	{"Desk Lamp", "Office", 3999},
	{"Gel Pen Set", "Stationery", 999},
	{"Laptop Sleeve", "Accessories", 3499},
	{"Wall Clock", "Decor", 4499},
	{"USB-C Hub", "Electronics", 4999},
	{"Bookshelf", "Furniture", 14999},
	{"Monitor Stand", "Office", 5999},
	{"Sticky Notes Bundle", "Stationery", 799},
	{"Phone Stand", "Accessories", 1999},
	{"Desk Plant", "Decor", 2499},
	{"Noise-Cancelling Headphones", "Electronics", 19999},
	{"Whiteboard", "Office", 7999},
	{"Cable Organizer", "Accessories", 1499},
	{"Paper Shredder", "Office", 11999},
}

var campaignThemes = []string{
	"Autumn Essentials", "Black Friday", "Holiday Gifts", "New Year Kickoff", "Winter Clearance",
	"Spring Refresh", "Home Office Week", "Summer Savings", "Back to Office", "Loyalty Rewards",
}

// Payment methods: the first three pay an order in full, the last two pay
// part of it in a split.
var (
	primaryMethods   = []string{"credit_card", "credit_card", "credit_card", "paypal", "paypal", "bank_transfer"}
	secondaryMethods = []string{"gift_card", "coupon"}
)
