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
beams-lit = { $n } Strahlen leuchten
beams-lit-of = { $n } von { $all } Strahlen leuchten
beams-cap-tip = Höchstens { $max } Strahlen werden gleichzeitig gezeichnet: die stärksten. Eine höhere Schwelle oder ein ausgewähltes Token zeigt weniger.
positions = Positionen
positions-tip = P: die Positionstabellen
cost = Kosten
cost-tip = C: warum lange Kontexte teuer sind (n² gegenüber n)
all-heads = Alle Köpfe
all-heads-tip = V: die Gewichte jedes Kopfes als Miniatur
sampling = Zufallsauswahl (Sampling)
temperature = Temperatur
seed = Startwert (Seed)
colour = Farbe:
legend = − 0 +  (Helligkeit = Größe)
help-hint = F1 / H: Tasten und Hilfe
save-stop = Ansicht als Halt der Führung speichern
save-stop-tip = K: Station, Kamerawinkel, Auswahl und der gerade geöffnete Raum werden ein weiterer Halt in { $file }
export = Zahlen exportieren (JSON, CSV)
export-tip = die Tokens in der Halle mit ihrer Überraschung, die Aufmerksamkeit jedes Kopfes, die Logit-Linse und die Logits des nächsten Tokens, so wie `factory trace --json` sie schreibt, nach factory-floor-<time>.json; dazu als drei Tabellen (tokens, attention, lens) in factory-floor-<time>-*.csv

## Das Hilfefenster (F1)

help-title = Tasten und Hilfe
help-story = Kisten sind Tokens. Sie fahren von der Eingangsrampe durch jede Schicht: ein Normtor, eine Prüfkabine pro Aufmerksamkeitskopf (Strahlen zeigen, worauf jedes Token schaut; heller und dicker = mehr Gewicht; spätere Tokens sind maskiert und leuchten nie), die Zusammenführung und das Residual-Förderband, ein zweites Normtor und die FFN-Maschine (eine Lampe pro Neuron). An der Versandrampe zeigen die Balken die Wahrscheinlichkeiten für das nächste Token; das gezogene Token fährt zurück zum Anfang, und die Schleife geht weiter, mit dem Zwischenspeicher für Schlüssel und Werte (Key/Value-Cache), sodass nur die neue Kiste berechnet wird.
help-rooms = Räume: M fliegt zum Einbettungsraum (jedes Token des Vokabulars als Punkt; ein Klick auf einen Punkt zeigt seine nächsten Nachbarn, dazu Vektorrechnung zum Ausprobieren), B zum Raum für Größenvergleiche (dieses Modell neben GPT-2 und GPT-3). P, C und L öffnen die Positionstabelle, die Kosten langer Kontexte und den Zeitraffer des Trainings. Pos1 führt zurück.

## Tasten (die Tabelle der Hilfe: die Tasten, wie sie geschrieben werden, und .does)

key-mouse = linke Maustaste + ziehen
    .does = kreisen
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
station-shipping = Versandrampe: Chancen des nächsten Tokens
hall-map = die Halle: { $stations } Stationen, { $layers } Schichten (ein Klick führt dorthin)

## Der Kiosk: sein eigenes Bedienfeld, die Bildschirmtastatur und der Aufruf der Vorführschleife

kiosk-promise = Ein echtes Sprachmodell bei der Arbeit. Jede Zahl stammt von ihm.
kiosk-choose = Einen Satz auswählen:
kiosk-own-words = Eigene Wörter eingeben
kiosk-keyboard-close = Tastatur schließen
kiosk-next-word = Nächstes Wort
kiosk-temperature = Überraschung (Temperatur)
kiosk-temperature-tip = Niedrig: immer das wahrscheinlichste Wort. Hoch: mutigere Wahl.
kiosk-touch = Zum Starten berühren
kiosk-demo = Eine Vorführung: Ein echtes Sprachmodell schreibt das nächste Wort.
kiosk-type-here = Hier tippen…
kiosk-chars-left = noch { $n } Zeichen
kiosk-shift = Groß
kiosk-space = Leerzeichen
kiosk-delete = Löschen
kiosk-run = Los
kiosk-english-only = (Dieses Modell hat nur Englisch gelernt.)
kiosk-tour = Führung starten
