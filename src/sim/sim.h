/*
 * sim: `phalanx sim`, a broker and market simulator that speaks the Zerodha
 * Kite Connect v3 REST API over real HTTP, so the kite adapter and the
 * tests exercise the same code path they would against the real broker.
 */
#ifndef PX_SIM_H
#define PX_SIM_H

/* Entry point for `phalanx sim ...`; argv[0] is "sim". Returns exit status. */
int sim_main(int argc, char **argv);

#endif
