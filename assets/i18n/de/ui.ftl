# Die für Besucher sichtbaren Texte der Fabrik auf Deutsch: Bedienfelder, Schilder, Hilfe, Kiosk-Bildschirme.
# Jede Nachricht hier muss es in jeder anderen Sprache mit denselben { $arguments } geben
# (ein Test prüft das). Zahlen kommen als Argumente, bereits formatiert, wo es auf Genauigkeit ankommt.

app-name = Transformer Factory

## Das Bedienfeld

panel-unfold = » Steuerung
panel-fold-tip = Bedienfeld einklappen (U blendet alle Bedienfelder aus)
panel-promise = Jede Zahl hier stammt vom Modell selbst.
prompt = Anfangstext (Prompt)
run-prompt = Prompt ausführen
prompt-refused = Die Wand soll freundlich bleiben: bitte andere Wörter versuchen.
model-working = das Modell rechnet
problem = Problem: { $what }
model-failed = Fehler im Modell: { $what }
playback = Wiedergabe
pause = ⏸ Pause
play = ▶ Abspielen
step = Schritt ⏭
step-tip = N: eine Station
generate = Erzeugen
generate-tip = G: ein Token
tokens = Tokens
speed = Stationen / s
beam-threshold = Strahlenschwelle
beams-lit = { $n ->
    [one] { $n } Strahl leuchtet
   *[other] { $n } Strahlen leuchten
}
beams-lit-of = { $n } von { $all } Strahlen leuchten
beams-cap-tip = Höchstens { $max } Strahlen werden gleichzeitig gezeichnet: die stärksten. Eine höhere Schwelle oder ein ausgewähltes Token zeigt weniger.
positions = Positionen
positions-tip = P: die Positionstabellen
cost = Kosten
cost-tip = C: warum lange Kontexte teuer sind (n² gegenüber n)
compare = A/B
compare-tip = zwei Prompts nebeneinander: nächstes Token, Logit-Linse, Aufmerksamkeit
compare-title = Zwei Prompts nebeneinander (A/B)
compare-intro = A ist der Prompt in der Halle; B läuft auf demselben Modell mit denselben abgeschalteten Teilen. Ändere ein Wort oder die Reihenfolge der Wörter und sieh, was sich ändert.
compare-a = A: { $text }
compare-a-patched = A ist jetzt der Boden: B mit einem Stück von A darin (die Tabellen unten vergleichen es mit B): { $text }
compare-run = B rechnen
compare-busy = B wird berechnet...
compare-ablated = beide Seiten mit den Teilen abgeschaltet, die in der Halle abgeschaltet sind
compare-next = Nächstes Token (nach Temperatur, Top-k, Top-p), die Änderung jedes Tokens markiert
compare-token = Token
compare-lens = Logit-Linse: der beste Tipp jeder Schicht
compare-lens-raw = rohe Wahrscheinlichkeiten (Temperatur 1, nichts abgeschnitten), anders als die Tabelle oben
compare-differs = anders
compare-attention = Aufmerksamkeit von Kopf
compare-attention-change = größte Änderung: Token { $q } liest Token { $k }, { $a } in A, { $b } in B
all-heads = Alle Köpfe
all-heads-tip = V: die Gewichte jedes Kopfes als Miniatur
sampling = Zufallsauswahl (Sampling)
temperature = Temperatur
seed = Startwert (Seed)
colour = Farbe:
legend = − 0 +
legend-note = Helligkeit = Größe; ein Punkt markiert eine negative Zelle
legend-surprise = rosa an einer Kiste: wie überrascht das Modell von diesem Token war
help-hint = F1 / H: Tasten und Hilfe
save-stop = Ansicht als Halt speichern
save-stop-tip = K: Station, Kamerawinkel, Auswahl und der gerade geöffnete Raum werden ein weiterer Halt in { $file }
export = Zahlen exportieren (JSON, CSV)
export-tip = die Tokens in der Halle mit ihrer Überraschung, die Aufmerksamkeit jedes Kopfes, die Logit-Linse und die Logits des nächsten Tokens, so wie `factory trace --json` sie schreibt, nach factory-floor-<time>.json; dazu als drei Tabellen (tokens, attention, lens) in factory-floor-<time>-*.csv

## Das Hilfefenster (F1)

help-title = Tasten und Hilfe
help-story = Kisten sind Tokens. Sie fahren von der Eingangsrampe durch jede Schicht: ein Normtor, eine Prüfkabine pro Aufmerksamkeitskopf (Strahlen zeigen, worauf jedes Token schaut; heller und dicker = mehr Gewicht; spätere Tokens sind maskiert und leuchten nie), die Zusammenführung und das Residual-Förderband, ein zweites Normtor und die FFN-Maschine (eine Lampe pro Neuron). An der Versandrampe zeigen die Balken die Wahrscheinlichkeiten für das nächste Token; das gezogene Token fährt zurück zum Anfang, und die Schleife geht weiter, mit dem Zwischenspeicher für Schlüssel und Werte (Key/Value-Cache), sodass nur die neue Kiste berechnet wird.
help-rooms = Räume: M fliegt zum Einbettungsraum (jedes Token des Vokabulars als Punkt; ein Klick auf einen Punkt zeigt seine nächsten Nachbarn, dazu Vektorrechnung zum Ausprobieren), B zum Raum für Größenvergleiche (dieses Modell neben GPT-2 und GPT-3). P, C und L öffnen die Positionstabelle, die Kosten langer Kontexte und den Zeitraffer des Trainings. Pos1 führt zurück.
help-learn = Spiel (in der Leiste) spielt „rate das nächste Wort“ gegen das Modell. Diesen Satz lernen (unter Mehr) zeigt einen Lernschritt: an jedem Wort das wahre nächste Wort, seine Wahrscheinlichkeit wie geladen und jetzt, und Schritt rückt eine Kopie der Gewichte; Schließen vergisst. Sein Schalter „Den Rückwärtsdurchlauf in der Halle zeigen“ schickt die Kisten von der Versandrampe zurück zum Anfang: jede Tafel, Lampe und jeder Strahl, an dem sie vorbeikommen, zeigt seinen Gradienten als Tinte auf Papier (karminrot: die Zahl zu erhöhen erhöht die Überraschung, marineblau: senkt sie); zeigen Sie auf einen, um den Schritt der Kettenregel zu sehen, der ihn ergab.
help-patch = A/B (unter Mehr) lässt einen zweiten Satz neben dem auf dem Band laufen; haben beide gleich viele Wortstücke, zeigt „Jede Stelle patchen“, wo im Modell der Unterschied zwischen ihnen entschieden wird.

## Tasten (die Tabelle der Hilfe: die Tasten, wie sie geschrieben werden, und .does)

key-mouse = linke Maustaste + ziehen
    .does = um den Blickpunkt drehen
key-mouse-2 = rechte / mittlere Maustaste + ziehen
    .does = verschieben
key-mouse-3 = Mausrad
    .does = zoomen
key-fly-forward = W A S D, Q E
    .does = fliegen (Umschalt: schneller)
key-station = 1 2 3
    .does = Eingangsrampe, Einbettungspresse, Positionsstempel
key-station-2 = 4 bis 9
    .does = Schichten 0 bis 5
key-station-3 = 0
    .does = Versandrampe
key-prev-station = Bild auf / ab
    .does = vorige / nächste Station
key-prev-layer = - / +
    .does = vorige / nächste Schicht (alle Schichten)
key-home = Pos1
    .does = Ansicht zurücksetzen
key-follow = F
    .does = den fahrenden Kisten folgen
key-mouse-4 = Klick
    .does = einen Strahl, eine Kiste, eine Prüfkabine, ein Feld einer Tafel oder eine Lampe auswählen und hinfliegen
key-clear-selection = Esc
    .does = Auswahl aufheben
key-play-pause = Leertaste
    .does = Abspielen / Pause
key-step = N oder .
    .does = eine Station weiter
key-generate-one = G
    .does = ein Token erzeugen
key-slower = [ ]
    .does = langsamer / schneller
key-tour = T
    .does = Führung starten / beenden
key-mouse-5 = Leertaste (in der Führung)
    .does = Führung anhalten
key-tour-back = Pfeiltasten links / rechts
    .does = voriger / nächster Halt der Führung
key-screenshot = F12
    .does = Bildschirmfoto speichern
key-save-stop = K
    .does = diese Ansicht (Station, Winkel, Auswahl, Raum) als Halt in my-tour.ron speichern (oder --save-tour)
key-model-view = V
    .does = die Aufmerksamkeit jedes Kopfes als Miniatur (ein Klick darauf fliegt dorthin)
key-hide-ui = U
    .does = alle Bedienfelder aus- / einblenden (saubere Bilder)
key-cost-view = C
    .does = die Kosten des Kontexts: n² gegenüber n, Cache-Größen, gemessene Zeiten
key-positions-view = P
    .does = Positionen: die gelernte Tabelle, die Sinustabelle, wie ähnlich sich Positionen sind
key-embedding-room = M
    .does = der Einbettungsraum: jedes Token als Punkt, Nachbarn, king - man + woman
key-scale-room = B
    .does = der Raum für Größenvergleiche: dieses Modell neben GPT-2 und GPT-3
key-overview-room = O
    .does = die Schichtübersicht: die Aufmerksamkeit jedes Kopfes, ein Stockwerk pro Schicht
key-training-view = L
    .does = Zeitraffer des Trainings: derselbe Anfangstext (Prompt) im Modell, während es lernte
key-routes-view = R
    .does = Wege zum letzten Wort: die Teile, die es tragen, in der Halle beleuchtet (ein Regler für den kleinsten Anteil)
key-mouse-6 = Zeiger auf einer Weglinie
    .does = welcher Teil es ist und sein Anteil am Strom, in den er mündet
key-mouse-7 = A/B: Jede Stelle patchen, eine Zelle anklicken
    .does = B läuft auf dem Boden mit diesem einen Stück von A; die Halle leuchtet, wo Patchen zählt
key-help = F1 oder H
    .does = diese Hilfe

## Die Bildunterschrift der Führung

tour-problem = Problem mit der Führungsdatei
tour-problem-hint = Die Fabrik läuft ohne Führung. Nach einer Korrektur der Datei und einem Neustart ist sie verfügbar.
tour-stop-of = Halt { $stop } von { $n }
tour-back = < zurück
tour-resume = fortsetzen
tour-pause = Pause
tour-next = weiter >
tour-end = Führung beenden
tour-keys = (T, Leertaste, Pfeiltasten links / rechts)

## Zahlen in Worten, die Titelkarte einer Aufnahme

decimal-mark = ,
unit-thousand = Tausend
unit-million = Millionen
unit-billion = Milliarden
title-card-default = Ein Gang durch einen Transformer
title-card-sub = Transformer Factory · { $model }, { $params } Parameter

## Stationsschilder: der Name der Station und was dort geschieht

station-dock = Eingangsrampe: Text -> Tokens
station-embedding = Einbettungspresse: Token-ID -> Vektor (wte)
station-position = Positionsstempel: + Positionsvektor (wpe)
station-norm-attn = Schicht { $layer } · Normtor (ln_1)
station-booth = Schicht { $layer } · Kopf { $head } · Prüfkabine
station-merge = Schicht { $layer } · Köpfe vereint + Residualband
station-norm-ffn = Schicht { $layer } · Normtor (ln_2)
station-ffn = Schicht { $layer } · FFN-Maschine: weiten, GELU, verschmälern
station-final-norm = Letztes Normtor (ln_f)
station-shipping = Versandrampe: Wahrscheinlichkeiten des nächsten Tokens
hall-map = die Halle: { $stations } Stationen, { $layers } Schichten (ein Klick führt dorthin)
hall-key-here = du bist hier
hall-key-docks = Docks
hall-key-press = Presse, Stempel
hall-key-norms = Normtore
hall-key-booths = Aufmerksamkeit
hall-key-merge = Zusammenführung
hall-key-ffn = Mustermaschinen

## Der Kiosk: sein eigenes Bedienfeld, die Bildschirmtastatur und der Aufruf der Vorführschleife

kiosk-promise = Ein echtes Sprachmodell bei der Arbeit. Jede Zahl stammt von ihm.
kiosk-choose = Einen Satz auswählen:
kiosk-own-words = Eigene Wörter eingeben
kiosk-keyboard-close = Tastatur schließen
kiosk-next-word = Nächstes Wort
kiosk-temperature = Tipps: sicher … gewagt (Temperatur)
kiosk-temperature-tip = Niedrig: immer das wahrscheinlichste Wort. Hoch: mutigere Wahl.
kiosk-touch = Zum Starten berühren
kiosk-demo = Eine Vorführung: Ein echtes Sprachmodell schreibt das nächste Wort.
kiosk-type-here = Hier tippen…
kiosk-chars-left = { $n ->
    [one] noch { $n } Zeichen
   *[other] noch { $n } Zeichen
}
kiosk-shift = Groß
kiosk-space = Leerzeichen
kiosk-delete = Löschen
kiosk-run = Los
kiosk-english-only = (Dieses Modell hat nur Englisch gelernt.)
kiosk-tour = Führung starten

## Der Inspektor (oben rechts)

inspector = Details
inspector-waiting = warte auf das Modell...
inspector-tokens = { $n } Tokens ({ $prompt } aus dem Prompt) · Kisten unterwegs: { $riding }
inspector-at = bei: { $station }
inspector-hint = Eine Kiste, Kabine, Tafel oder Lampe anklicken, um sie zu untersuchen.
inspector-token = Token { $t }: { $text }  (ID { $id })
inspector-first-token = das erste Token: nichts davor, das es vorhersagen könnte
inspector-surprise = Überraschung { $nats } nats: das Modell gab ihm p = { $p } % nach den Tokens davor (-ln p)
inspector-surprise-whole = ; berechnet ohne abgeschaltete Teile
inspector-surprise-failed = Überraschung: konnte nicht berechnet werden
inspector-surprise-waiting = Überraschung: wird berechnet...
inspector-embedding = Einbettung: Mittel { $mean }, Streuung { $spread }
inspector-layer-stream = Schicht { $layer }: Strom Mittel { $mean } Streuung { $spread }, nach ln_2 Mittel { $mean2 } Streuung { $spread2 }
inspector-head = Schicht { $layer }, Kopf { $head }
inspector-looks-at = worauf Token { $t } { $text } schaut:
inspector-part = sein direkter Anteil am Logit des besten Tipps { $token } (letztes Token): { $part } von { $logit }; der Größe nach Platz { $rank } von { $heads } Köpfen. Was er in den Strom schreibt, gelesen durch die letzte Norm mit ihrer tatsächlichen Skala und die Unembedding-Zeile dieses Tokens; was spätere Schichten daraus machen, ist ihr Anteil.
inspector-part-waiting = sein direkter Anteil am besten Tipp: wird berechnet...
inspector-neuron = Schicht { $layer }, FFN-Neuron { $neuron }
inspector-neuron-outputs = seine GELU-Ausgabe für jedes Token:
inspector-token-formula = Token { $t }: { $formula }
inspector-cell = { $board }: Dimension { $d } von Token { $t } = { $value }
tip-cell-added = hier hinzugefügt: Dimension { $d } von Token { $t } = { $value }
inspector-lamps-show = FFN-Lampen zeigen Token { $t } { $text }
inspector-next = nächstes Token (nach Temperatur, top-k, top-p)
inspector-ablated = mit { $parts } abgeschaltet (vorher -> nachher)
inspector-last-sampled = zuletzt gezogen: { $token }
inspector-lens = Logit-Linse: der Tipp, wenn das Modell nach jeder Schicht aufhörte
inspector-lens-raw = rohe Wahrscheinlichkeiten (Temperatur 1, nichts abgeschnitten), anders als die Balken oben
inspector-lens-layer = nach Schicht { $layer }: { $guesses }
inspector-clear = Auswahl aufheben (Esc)
why-bar = warum { $token } { $p }% bekommt:
why-bar-greedy = Temperatur 0: das Token mit dem höchsten Logit ({ $logit }) wird direkt genommen; kein anderes Token kann gezogen werden.
why-bar-kept = Σ läuft über die { $kept } behaltenen Tokens: top-k behielt { $topk } von { $vocab }, dann behielt top-p die wahrscheinlichsten davon, bis sie zusammen p erreichten; { $cut } Tokens sind abgeschnitten (Wahrscheinlichkeit 0).
why-bar-logit = Logit = die ln_f-Ausgabe des letzten Tokens · die Zeile dieses Tokens in wte (das Unembedding)

## Die Wörter der Formeln (Zahlen und Zeichen bleiben wie geschrieben)

explain-norm = x: diese Dimension des ankommenden Stroms; mean und var über seine { $n } Zahlen; gain und shift für diese Dimension gelernt
explain-wte = Zeile { $id } der gelernten Token-Tabelle, eine Zeile je Token des Vokabulars
explain-no-wpe = die Positionen sind abgeschaltet: keine wpe-Zeile addiert
explain-wte-wpe = Token-Zeile + Positions-Zeile
explain-resid-attn = Strom davor + Aufmerksamkeit (die zusammengeführte Ausgabe der Köpfe, addiert, nicht ersetzt)
explain-resid-no-ffn = Strom nach der Aufmerksamkeit + 0 (das FFN dieser Schicht ist abgeschaltet: es addiert nichts)
explain-resid-ffn = Strom nach der Aufmerksamkeit + FFN-Ausgabe (die Werte der Lampen · Spalte von c_proj + Bias)
explain-neuron-off = abgeschaltet: seine GELU-Ausgabe ist auf 0 gesetzt (p = { $p } hätte die Lampe zum Leuchten gebracht)
explain-gelu = die gewichtete Summe dieses Neurons über den normierten Vektor des Tokens

## Teile abschalten, die Modellkarte, der Strahl unter dem Zeiger

ablate = Teile abschalten
ablate-n = Teile abschalten ({ $n } aus)
ablate-positions = Positions-Einbettungen
ablate-ffn-of = FFN der Schicht
ablate-head = Kopf { $head } (ausgewählt)
ablate-neuron = Neuron { $neuron } (ausgewählt)
ablate-hint = Nicht angehakte Teile sind abgeschaltet. Einen Kopf oder eine Lampe auswählen, um sie zu schalten.
ablate-off = aus: { $parts }
ablate-all-on = Alles wieder einschalten
model-card = Modellkarte
card-layers = Schichten
card-heads = Köpfe
card-dims = Dim.
card-params = Parameter
card-context = Kontext { $context } Tokens (GPT-2: 1024, GPT-3: 2048) · Vokabular { $vocab } Tokens
card-folder = Ordner { $folder }
beam-reads = Token { $q } { $qtext } liest Token { $k } { $ktext }
beam-weight = Aufmerksamkeitsgewicht { $w } (seine Zeile der Gewichte ergibt zusammen 1)
beam-click = Klick: dieser Kopf und dieses Token

## Hinweise und Speichern

filter-masked = { $n ->
    [one] der Wortfilter hat { $n } Token verdeckt, das das Modell hier schreiben wollte
   *[other] der Wortfilter hat { $n } Tokens verdeckt, die das Modell hier schreiben wollte
}
model = Modell
saved-stop = Halt { $n } gespeichert in { $file } (abspielen: --tour { $file })
saved-stop-failed = der Halt wurde nicht gespeichert: { $why }
saved-numbers = die Zahlen gespeichert in { $path }
saved-numbers-failed = konnte { $path } nicht schreiben: { $why }
saving-numbers = die Zahlen werden gespeichert ({ $path }): Schritt { $step } von { $steps }
saved-numbers-too-big = nicht gespeichert: diese Zahlen würden etwa { $size } MB an Dateien füllen, mehr als die { $limit } MB, die ein Export schreiben darf; exportiere einen kürzeren Prompt
saved-screenshot = Bildschirmfoto gespeichert: { $path }
saving-screenshot = das Bildschirmfoto wird gespeichert: { $path } ...
saved-screenshot-failed = das Bildschirmfoto wurde nicht gespeichert ({ $path }): { $why }
tip-crate-tag = der rosa Balken oben auf der Kiste füllt sich mit der Überraschung; voll = { $full } nats, die Überraschung beim blinden Raten unter { $vocab } Tokens
tip-booth = hier liest jedes Token die Tokens vor sich; ein Strahl läuft vom gelesenen Token zum lesenden, heller für mehr Gewicht.
tip-lamp-switch-off = Rechtsklick: dieses Neuron abschalten
tip-lamp-switch-on = abgeschaltet; Rechtsklick: wieder einschalten
spread-before = vorher
spread-after = nachher
tip-spread-title = { $norm }: Token { $t } { $text }
tip-spread = Streuung (Standardabweichung seiner { $n } Zahlen): { $before } hinein (der Balken zur Eingangsrampe hin), { $after } hinaus (der Balken zur Versandrampe hin). Die Norm zieht den Mittelwert ab, teilt durch √(var + ε), skaliert dann jede Dimension mit ihrem Faktor γ und addiert β: jedes Token verlässt das Tor in etwa gleicher Größe.
tip-click-pin = Klick: in den Details festhalten (Seitenleiste)
inspector-go = woher es kommt: { $station }
switch-on = Schalter für { $part }: an (Klick schaltet ab)
switch-off = Schalter für { $part }: aus (Klick schaltet wieder ein)
switch-meaning = ein abgeschalteter Kopf trägt vor c_proj nichts bei; ein abgeschaltetes FFN addiert nichts zum Strom; ohne Positionen wird keine wpe-Zeile addiert; alles wird neu gerechnet
part-head = Schicht { $layer }, Kopf { $head }
part-neuron = Schicht { $layer }, Neuron { $neuron }
part-mlp = Schicht { $layer }, FFN
computing = wird berechnet ...
bar-more = Mehr »
bar-more-tip = alle Regler: Auswahl der Wörter (top-k, top-p, Startwert), die Strahlen, Teile abschalten, A/B, die Räume, das Modell, Export
bar-next-word = Nächstes Wort
bar-next-word-tip = das Modell wählt aus seinen Vermutungen am Versand ein weiteres Wort, und es fährt wieder durch die Halle (G)
bar-step = Eine Station ⏭
bar-play-tip = die Kisten fahren durch die Maschinen, Station für Station (Leertaste)
layout-reset = Anordnung zurücksetzen
layout-reset-tip = die gemerkte Anordnung vergessen: der nächste Start (und dieser) zeigt wieder die schmale Leiste
layout-damaged = die Anordnungsdatei { $path } ließ sich nicht lesen ({ $why }); sie wird übergangen

## Zuerst in einfachen Worten: der Satz, mit dem jeder Tooltip und jeder Eintrag im Inspektor beginnt
word-quoted = „{ $w }“
word-space = ein Leerzeichen
plain-cell = Eine der Zahlen, die { $word } an dieser Station beschreiben: bernsteinfarben über null, blau darunter, heller für größere.
plain-cell-added = Eine der Zahlen, die diese Station zu denen von { $word } hinzufügte: bernsteinfarben über null, blau darunter, heller für größere.
plain-bar = Wie wahrscheinlich das Modell { $word } als nächstes Wort hält.
plain-switch = Ein Schalter: diesen Teil des Modells abschalten und sehen, was sich ändert.
plain-lamp = Ein Neuron der FFN-Maschine: es leuchtet, wenn { $word } zu einem gelernten Muster passt.
plain-crate = Eine Kiste trägt ein Stück des Textes, { $word }, durch die Fabrik.
plain-spread = Das Normtor bringt die Zahlen jedes Wortes auf dieselbe Größe, bevor die nächste Maschine sie bekommt.
plain-booth = Ein Aufmerksamkeitskopf: hier schaut jedes Wort auf frühere Wörter zurück und nimmt auf, was sie tragen.
plain-beam = { $q } schaut auf { $k } zurück: je heller der Strahl, desto mehr nimmt es davon.
inspector-numbers = Die Zahlen
inspector-plain-text = Der Text bisher: das Modell liest ihn ganz und rät das Wort, das als nächstes kommt.
inspector-plain-token = Diese Kiste trägt { $word }, Stück { $n } von { $all } des Textes.
inspector-plain-head = Kabine { $head } von Schicht { $layer } ist ein Aufmerksamkeitskopf: jedes Wort schaut auf frühere Wörter zurück und nimmt auf, was sie tragen. Wohin { $word } schaut:
inspector-plain-neuron = Lampe { $neuron } der FFN-Maschine von Schicht { $layer }: sie leuchtet (über null), wenn ein Wort zu einem gelernten Muster passt.
inspector-plain-next = Die Tipps des Modells für das nächste Wort, der wahrscheinlichste zuerst.
inspector-plain-lens = Was das Modell raten würde, wenn es nach jeder Schicht aufhörte: so sieht man die Antwort entstehen.
show-ids = Token-IDs auf den Kisten
show-ids-tip = Die Beschriftung jeder Kiste nennt unter ihrem Text die Nummer ihres Tokens im Vokabular
show-added = Kacheln: was jede Station hinzufügt
show-added-tip = Am Positionsstempel, an den Zusammenführungen und den Mustermaschinen (FFN) zeigen die Kacheln, was die jeweilige Station zu den Zahlen jedes Worts hinzufügte, nicht die Zahlen danach (die Kacheln der Presse und der Normtore bleiben, wie sie sind)
inspector-no-roles = Was dieser Kopf im Allgemeinen tut, ist für dieses Modell nicht gemessen: factory heads --model { $dir } --json > { $dir }/heads.json
lamp-lights-most = Im Allgemeinen leuchtet diese Lampe am stärksten bei (zurückgehaltener Text des Modells, das Wort in [Klammern]):
lamp-no-cards = Wo diese Lampe im Allgemeinen leuchtet, ist für dieses Modell nicht gemessen: factory lamps --model { $dir }

## das Ratespiel (ui/game.rs)
tab-game = Spiel
game-title = Rate das nächste Wort: du gegen das Modell
bar-game = Spiel: du gegen das Modell
bar-game-tip = Ein Spiel: rate das verdeckte nächste Wort und sieh dann, was das Modell geraten hat
game-intro = Welches Wort kommt als nächstes? Wähle eines und sieh dann, wie wahrscheinlich das Modell jedes fand.
game-english-only = Das Modell hat nur Englisch gelernt: die Sätze bleiben englisch.
game-round = Runde { $n } von { $of }
game-pick = Tippe auf das Wort, das deiner Meinung nach als nächstes kommt.
game-right = Richtig: das nächste Wort ist „{ $word }“.
game-wrong = Diesmal nicht: das nächste Wort ist „{ $word }“.
game-model-thought = Der beste Tipp des Modells: „{ $word }“ ({ $p }).
game-raw-note = Das sind die eigenen Chancen des Modells; die Balken am Dock zeigen sie nach der Einstellung „Tipps: sicher … gewagt“ und dem Abschneiden unwahrscheinlicher Wörter.
game-truth = Das nächste Wort ist „{ $word }“.
game-tour-invite = Jetzt du: Tippe auf „Spiel“ und spiel fünf Runden gegen das Modell.
game-score = Du { $you }, das Modell { $model }
game-next = Nächster Satz
game-again = Noch einmal
kiosk-game = Spiel: rate das nächste Wort
kiosk-invite-game = …oder spiel: rätst du das nächste Wort besser als das Modell?
bar-boldness = Tipps: sicher
bar-boldness-end = gewagt
bar-boldness-tip = Die Temperatur ({ $value }): niedrig wählt die wahrscheinlichsten Wörter, hoch wagt auch unwahrscheinlichere
banner-patched = gepatchter Lauf: A's Stück ({ $place }) in diesen Satz eingesetzt (A/B-Fenster)
banner-surprise = rosa Balken auf einer Kiste: wie sehr dieses Wort das Modell überrascht hat (das erste hat keinen)
banner-tiles = Kacheln auf dem Boden: die Zahlen, die jedes Wort an dieser Station beschreiben (orange über null, blau mit dunklem Punkt darunter, heller = größer)
banner-tiles-added = Kacheln auf dem Boden: was jede Station zu den Zahlen jedes Worts hinzufügte; an einem Normtor: was es ausgibt (orange über null, blau darunter mit dunklem Punkt)
banner-tiles-gradient = Kacheln jetzt: der Gradient jeder Zahl (karminrot: sie zu erhöhen erhöht die Überraschung, marineblau: senkt sie)
banner-far-bars = weiter weg werden die Kacheln eines Wortes zu einem Balken, so lang wie die Streuung seiner Zahlen
