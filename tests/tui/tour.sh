#!/bin/sh
# The walkthrough at 80x24: it starts by itself on the first start, never
# takes a key a trader acts with (a view switch and the command bar work
# while it shows), runs its dry run (nothing sent), is dismissed with x and
# remembered, comes back with T and :tour, and PHALANX_TOUR=off keeps it
# away.
. "$(dirname "$0")/lib.sh"
unset PHALANX_TOUR

fresh_db
"$PHALANX" -c "broker add paper1 kind paper" >/dev/null 2>&1
"$PHALANX" -c "account add alice broker paper1 tags scalpers" >/dev/null 2>&1
"$PHALANX" -c "account add bob broker paper1 tags hni" >/dev/null 2>&1
marker="$PHALANX_HOME/tour-done"
[ -e "$marker" ] && fail "no tour marker before the first start" || ok "no tour marker before the first start"

tui_session 80 24
keys "clear; \"$PHALANX\" tui; echo \"tui-exit=\$?\"" Enter
wait_for "Tour 1/8: The matrix" "the tour starts on the first start"
wait_for "Accounts 2 of 2" "the matrix shows under the tour"
layout_intact "tour 80x24" 24
no_cut_numbers "the tour at 80x24"
out=$(screen)
has "> next  < back  x close" "the tour says how to move on and close"

# Keys that act are not the tour's.
keys 2
wait_for "Execution feed" "2 switches to the feed while the tour shows"
out=$(screen)
has "Tour 1/8" "the tour stays"
keys 1 : "account list" Enter
wait_for "USER ID" "the command bar works while the tour shows"
keys Escape

# > moves on; the dry-run step runs one that sends nothing.
keys ">"
wait_for "Tour 2/8: One signal, many accounts" "> goes to the next step"
keys d
wait_for "dry run" "d shows the dry run's allocation"
same "$(sql "select count(*) from fanouts")" 0 "the dry run sent nothing"
keys Escape
keys ">" ">" ">"
wait_for "Tour 5/8: The feed" "the feed step opens the feed"
keys "<"
wait_for "Tour 4/8: Square-off and kill" "< goes back"
keys x
wait_gone "Tour 4/8" "x closes the tour"
wait_for "tour closed" "the message line says how to get it back"
[ -e "$marker" ] && ok "dismissed: remembered in $marker" || fail "dismissed: remembered"
keys q
wait_for "tui-exit=0" "q quits"

# Remembered: the next start has no tour; T and :tour bring it back.
keys "clear; \"$PHALANX\" tui; echo \"tui-exit=\$?\"" Enter
wait_for "Accounts 2 of 2" "console again"
sleep 1
out=$(screen)
hasnt "Tour 1/8" "no tour once it was dismissed"
keys T
wait_for "Tour 1/8" "T starts the tour"
keys x
wait_gone "Tour 1/8" "x closes it"
keys : "tour" Enter
wait_for "Tour 1/8" ":tour starts the tour"
keys x q
wait_for "tui-exit=0" "q quits"

# PHALANX_TOUR=off: never by itself, even with no marker.
rm -f "$marker"
keys "clear; PHALANX_TOUR=off \"$PHALANX\" tui; echo \"off-exit=\$?\"" Enter
wait_for "Accounts 2 of 2" "console with PHALANX_TOUR=off"
sleep 1
out=$(screen)
hasnt "Tour 1/8" "PHALANX_TOUR=off: no tour"
keys q
wait_for "off-exit=0" "q quits"
tui_finish
