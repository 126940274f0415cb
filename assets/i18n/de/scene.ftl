# Text in the 3D scene and its rooms: dock and lens signs, board captions, room signs.

## Vektortafeln auf dem Boden: was eine Tafel zeigt (so nennt der Inspektor die Tafel)

board-tok-emb = Token-Einbettung (Zeile von wte)
board-embed = Token- + Positionseinbettung
board-layernorm = nach LayerNorm
board-resid-attn = Residualstrom nach der Aufmerksamkeit
board-resid-ffn = Residualstrom nach dem FFN

## Das Schild der Logit-Linse am Ende jeder Schicht (die Tipps selbst folgen in der nächsten Zeile)

lens-sign = seine Tipps, wenn es nach Schicht { $layer } aufhörte:

## Das Schild des Einbettungsraums

room-embedding-title = Einbettungsraum: die { $tokens } Tokens als Punkte; nah = ähnlich genutzt

## Der Raum für Größenvergleiche: sein Schild und das Schild jedes Blocks (Modellnamen bleiben)

room-scale-title = Größenvergleich: Volumen = Zahl der Parameter
room-scale-ours = dieses Modell
room-scale-params = { $name }: { $params } Parameter
room-scale-shape = { $layers } Schichten × { $heads } Köpfe, { $width } breit, Kontext { $context }
room-scale-trained = trainiert mit { $tokens } Tokens
room-scale-tokens-unknown = Trainings-Tokens: unbekannt (kein train_state.json)
room-scale-tokens-unpublished = Trainings-Tokens: nicht veröffentlicht

## Der Turm der Schichtübersicht: sein Schild (zwei Zeilen) und die Namen seiner Stockwerke und Spalten

overview-title = Schichtübersicht: die Aufmerksamkeit jedes Kopfes je Schicht
overview-title-windows = je Fenster: Zeilen = das lesende Token, Spalten = die gelesenen Tokens
overview-title-roles = ein Wort auf einem Fenster: worauf sein Kopf im Allgemeinen schaut, über viele Texte
overview-layer = Schicht { $layer }
overview-head = Kopf { $head }

## die Schilder der Stationen in einfachen Worten: der Name, dann was die Station tut
sign-dock = Eingangsrampe
sign-dock-does = der Text wird in Wortstücke (Tokens) geschnitten
sign-embedding = Einbettungspresse
sign-embedding-does = jedes Token bekommt seine Liste von Zahlen
sign-position = Positionsstempel
sign-position-does = fügt hinzu, wo im Text jedes Token steht
sign-norm = Normtor, Schicht { $layer }
sign-norm-does = hält die Zahlen im Rahmen (die weißen Balken daneben: die Streuung jedes Worts, davor und danach)
sign-booth = Prüfkabine, Schicht { $layer }, Kopf { $head }
sign-booth-does = jedes Wort liest frühere Wörter: was sie tragen, fließt die Pfeile entlang hinein
sign-merge = Zusammenführung, Schicht { $layer }
sign-merge-does = was die Köpfe fanden, kommt zu den Zahlen jedes Worts
sign-ffn = Mustermaschine (FFN), Schicht { $layer }
sign-ffn-does = jede Lampe prüft das Wort auf ein Muster
sign-final-norm = Letztes Normtor
sign-final-norm-does = ein letztes Skalieren vor dem Tipp
sign-shipping = Versandrampe
sign-shipping-does = wie wahrscheinlich jedes nächste Wort (oder Wortstück) ist

## die Rolle des Kopfes einer Kabine im Allgemeinen, gemessen am zurückgehaltenen Text des Modells (factory heads)
role-previous = im Allgemeinen: schaut auf das vorige Wort ({ $score } seiner Aufmerksamkeit)
role-first = im Allgemeinen: schaut auf das erste Wort ({ $score } seiner Aufmerksamkeit)
role-self = im Allgemeinen: schaut auf das Wort selbst ({ $score } seiner Aufmerksamkeit)
role-induction = im Allgemeinen: setzt wiederholte Muster fort ({ $score })
role-local = im Allgemeinen: schaut auf die letzten Wörter ({ $score } seiner Aufmerksamkeit)
role-mixed = im Allgemeinen: keine feste Gewohnheit (wohin er schaut, hängt von den Wörtern ab)
role-unmeasured = seine Gewohnheit im Allgemeinen ist für dieses Modell nicht gemessen (factory heads --json > heads.json in seinem Ordner)
role-tag-previous = vorige
role-tag-first = erste
role-tag-self = selbst
role-tag-induction = Muster
role-tag-local = nah
dock-winner = wahrscheinlichstes nächstes Wort: „{ $word }“
dock-winner-does = { $p } % wahrscheinlich: der höchste Balken
dock-drawn = gezogen: „{ $word }“
dock-drawn-does = es fährt zurück zum Anfang und kommt in den Satz
booth-plate = Kopf { $head }
part-bar = dieser Kopf: { $part } für „{ $word }“
