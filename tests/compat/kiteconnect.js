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
	const hold = await kc.getHoldings();
	check(hold.length >= 3 && hold.every((h) => h.product === "CNC" &&
	    h.quantity > 0), "getHoldings lists the seeded portfolio");
	const candles = await kc.getHistoricalData(fut.instrument_token, "day",
	    "2026-11-02 00:00:00", "2026-11-06 23:59:59", false, true);
	check(candles.length === 5 && candles[0].date instanceof Date &&
	    candles[0].high >= candles[0].low && candles[0].oi > 0,
	    "getHistoricalData parses day candles with OI");
	const mo = await kc.orderMargins([{ exchange: "NFO",
	    tradingsymbol: fut.tradingsymbol, transaction_type: "BUY",
	    variety: "regular", product: "NRML", order_type: "MARKET",
	    quantity: fut.lot_size, price: 0 }]);
	check(mo.length === 1 && mo[0].total > 0, "orderMargins gives a total");
	const bm = await kc.orderBasketMargins([{ exchange: "NFO",
	    tradingsymbol: fut.tradingsymbol, transaction_type: "SELL",
	    variety: "regular", product: "NRML", order_type: "MARKET",
	    quantity: fut.lot_size, price: 0 }], false);
	check(bm.initial.total > 0 && bm.orders.length === 1,
	    "orderBasketMargins gives initial and final");
	const ltp = (await kc.getLTP(["NSE:INFY"]))["NSE:INFY"].last_price;
	const up = Math.round(ltp * 1.1 * 10) / 10;
	const g = await kc.placeGTT({ trigger_type: "single",
	    tradingsymbol: "INFY", exchange: "NSE", trigger_values: [up],
	    last_price: ltp, orders: [{ transaction_type: "SELL",
	    quantity: 1, product: "CNC", order_type: "LIMIT", price: up }] });
	check(typeof g.trigger_id === "number", "placeGTT returns a trigger id");
	const gi = await kc.getGTT(g.trigger_id);
	check(gi.status === "active" && gi.condition.trigger_values[0] === up,
	    "getGTT shows the active rule");
	await kc.deleteGTT(g.trigger_id);
	check((await kc.getGTTs()).length === 0, "deleteGTT removes it");
	const co = await kc.placeOrder("co", { exchange: "NFO",
	    tradingsymbol: fut.tradingsymbol, transaction_type: "BUY",
	    quantity: fut.lot_size, product: "MIS", order_type: "MARKET",
	    trigger_price: Math.round(q[key].last_price * 0.99 * 20) / 20 });
	let leg;
	for (let i = 0; i < 50 && !leg; i++) {
		leg = (await kc.getOrders()).find((o) =>
		    o.parent_order_id === co.order_id);
		if (!leg)
			await new Promise((res) => setTimeout(res, 100));
	}
	check(leg && leg.order_type === "SL-M" && leg.variety === "co",
	    "a cover order gets its stop-loss leg");
	process.exit(failed ? 1 : 0);
})().catch((e) => {
	console.log("not ok - the client failed: " + (e.message || e));
	process.exit(1);
});
