// Drive `phalanx sim` with the official Kite Connect JavaScript client,
// unchanged but for its root URL.  argv: root, users file (the sim's
// stdout).  Prints one "ok - ..." / "not ok - ..." line per check.
"use strict";
const { KiteConnect } = require("kiteconnect");
const fs = require("fs");

const root = process.argv[2];
const user = JSON.parse(fs.readFileSync(process.argv[3], "utf8").split("\n")[0]);
const kc = new KiteConnect({ api_key: user.api_key, root: root });
kc.setAccessToken(user.access_token);
let failed = 0;

function check(cond, what) {
	console.log((cond ? "ok - " : "not ok - ") + what);
	if (!cond)
		failed++;
}

(async () => {
	const ins = await kc.getInstruments("NFO");
	const fut = ins.find((i) => i.name === "NIFTY" && i.instrument_type === "FUT");
	check(fut && fut.lot_size === 65, "getInstruments parses the dump (NIFTY lot 65)");
	const key = "NFO:" + fut.tradingsymbol;
	const q = await kc.getQuote([key]);
	check(q[key] && q[key].last_price > 0, "getQuote gives a last price");
	const r = await kc.placeOrder("regular", { exchange: "NFO",
	    tradingsymbol: fut.tradingsymbol, transaction_type: "BUY",
	    quantity: fut.lot_size, product: "MIS", order_type: "MARKET",
	    market_protection: -1, tag: "compat" });
	check(typeof r.order_id === "string", "placeOrder returns an order id");
	let hist = [];
	for (let i = 0; i < 50; i++) {
		hist = await kc.getOrderHistory(r.order_id);
		if (hist.length && hist[hist.length - 1].status === "COMPLETE")
			break;
		await new Promise((res) => setTimeout(res, 100));
	}
	check(hist.length && hist[hist.length - 1].status === "COMPLETE",
	    "getOrderHistory ends COMPLETE");
	const orders = await kc.getOrders();
	check(orders.some((o) => o.order_id === r.order_id && o.tag === "compat"),
	    "getOrders lists it with its tag");
	const pos = await kc.getPositions();
	check(pos.net.some((p) => p.tradingsymbol === fut.tradingsymbol &&
	    p.quantity === fut.lot_size), "getPositions shows the position");
	const m = await kc.getMargins();
	check(m.equity && typeof m.equity.net === "number", "getMargins parses");
	try {
		await kc.placeOrder("regular", { exchange: "NFO",
		    tradingsymbol: fut.tradingsymbol, transaction_type: "BUY",
		    quantity: 1, product: "MIS", order_type: "MARKET" });
		check(false, "a bad lot is refused");
	} catch (e) {
		check(e.error_type === "InputException", "a bad lot is an InputException");
	}
	process.exit(failed ? 1 : 0);
})().catch((e) => {
	console.log("not ok - the client failed: " + (e.message || e));
	process.exit(1);
});
