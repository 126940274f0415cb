# The detail windows: heatmap, booth, cost, training, positions, embedding.

## Die Aufmerksamkeitskarte und die Modellansicht (jeder Kopf als Miniatur)

heatmap-title = Aufmerksamkeit: Schicht { $layer }, Kopf { $head }
heatmap-all-heads = Alle Köpfe (einen anklicken)
heatmap-roles-legend = Unter einem Kopf: worauf er im Allgemeinen schaut, über viele Texte (zeigen für den Anteil).
heatmap-masked = Token { $q } { $query } kann Token { $k } { $key } nicht lesen: es kommt später (maskiert)
heatmap-reads = Token { $q } { $query } liest Token { $k } { $key } mit Gewicht { $weight }
heatmap-score = Rohwert = Anfrage · Schlüssel / sqrt({ $size }) = { $score } (höchster der Zeile: { $top })
heatmap-weight-formula = Gewicht = e^(Rohwert - höchster) / Summe über die { $n } Schlüssel bis Token { $q }
heatmap-layer = Schicht { $layer }
heatmap-head = Schicht { $layer }, Kopf { $head }

## In der Prüfkabine: Anfrage, Schlüssel, Werte, Rohwerte und Gewichte eines Kopfes für ein Token

booth-title = In der Prüfkabine: Schicht { $layer }, Kopf { $head }
booth-query = Anfrage (Query) von { $token } ({ $n } Zahlen):
booth-explain = Jedes frühere Token bietet einen Schlüssel (Key); q·k sagt, wie gut er passt, ÷ sqrt({ $size }) hält die Zahlen in Grenzen, Softmax über die { $n } Schlüssel bis { $token } ergibt die Gewichte (spätere Tokens sind maskiert: kein Gewicht).
booth-col-token = Token
booth-col-key = Schlüssel
booth-col-weight = Gewicht
booth-col-value = Wert
booth-listed = { $shown } von { $all } Schlüsseln gezeigt (die stärksten); die Summe nutzt alle.
booth-out = verlässt die Kabine: Σ Gewicht · Wert =
booth-ablated = Dieser Kopf ist abgeschaltet: Was ihn verlässt, wird vor c_proj auf 0 gesetzt.

## Die Kosten des Kontexts (C)

cost-title = Die Kosten des Kontexts
cost-intro = Die Anfrage jedes Tokens trifft den Schlüssel jedes früheren Tokens: n² Aufmerksamkeitswerte pro Kopf. Die Projektionen und das FFN leisten für jedes Token dieselbe Arbeit: Sie wächst nur mit n.
cost-slider = Tokens im Kontext
cost-scores = { $scores } Aufmerksamkeitswerte pro Kopf ({ $heads } Köpfe × { $layers } Schichten); Multiplikationen mit Addition: { $square } wachsen mit n², { $linear } mit n.
cost-grid-explain = Die Werte eines Kopfes für { $n } Tokens: eine Zeile pro Anfrage, eine Spalte pro Schlüssel. Bernsteinfarbene Werte werden genutzt; graue (die Zukunft) werden berechnet und maskiert. Doppelt so viele Tokens, viermal so viele Felder.
cost-crossover-beyond = Das Quadrat überwiegt ab n = 6 × Breite = { $x } Tokens; der Kontext dieses Modells endet bei { $context }, hier überwiegt also immer die lineare Arbeit (die gestrichelte Linie).
cost-crossover = Das Quadrat überwiegt ab n = 6 × Breite = { $x } Tokens.
cost-col-crossover = n² überwiegt ab
cost-col-cache = Key/Value-Cache bei n
cost-this-model = dieses Modell
cost-tokens = { $n } Tokens
cost-cache-note = (der Cache: 2 × Schichten × n × Breite Zahlen; hier f32, bei GPT-3 16 Bit)
cost-measured = gemessen auf diesem Rechner, dieses Modell
cost-full-run = ein ganzer Durchlauf mit { $n } Tokens: { $ms } ms
cost-full-run-none = ein ganzer Durchlauf: noch nicht gemessen
cost-cached-step = ein Schritt mit Cache (Token { $token }, frühere Schlüssel und Werte wiederverwendet): { $ms } ms
cost-cached-step-none = ein Schritt mit Cache: zum Messen ein Token erzeugen (G)
cost-cell-block = jedes Feld: { $n }×{ $n } Werte
cost-plot-square = n² (Aufmerksamkeit)
cost-plot-linear = n (Projektionen, FFN)

## Der Zeitraffer des Trainings (L)

training-title = Zeitraffer des Trainings
training-no-snapshots = Dieses Modell hat keine Zwischenstände aus dem Training. `factory train --snapshot-every N` speichert das Modell, während es lernt, in OUT/snapshots/; das Standardmodell (factory-everyday) bringt einige mit.
training-intro = Derselbe Anfangstext (Prompt), ausgeführt vom Modell, wie es bei jedem Schritt seines Trainings war: Bei Schritt 0 sind seine Gewichte zufällig und seine Vermutungen Rauschen; ziehen, um Wörter entstehen zu sehen.
training-step-of = Schritt { $step } von { $last }
training-step-zero = Schritt 0: die Gewichte wie initialisiert, vor jedem Training.
training-loss = Verlust nahe Schritt { $step }: { $loss } nats pro Token auf Trainingstext.
training-loss-held-out = Verlust nahe Schritt { $step }: { $loss } nats pro Token auf Trainingstext, { $held } auf Prüftext.
training-plot-legend = Verlust pro Token: Training (grau), Prüftext (bernsteinfarben); Schritte auf Wurzelskala
training-no-log = keine train_log.csv
training-step = Schritt { $step }

## Das Positionsfenster (P)

positions-title = Positionen
positions-intro = Aufmerksamkeit allein kennt keine Wortreihenfolge, darum addiert jede Position p ihre eigene Zeile aus { $d } Zahlen (wpe) zum Vektor des Tokens. Dieses Modell hat seine { $n } Zeilen gelernt; der ursprüngliche Transformer nutzte stattdessen feste Sinus- und Kosinuswellen.
positions-learned = gelernt (wpe): Zeile = Position
positions-sines = sinusförmig (das Paper von 2017)
positions-cosine = gelernt: Kosinus zwischen Positionen
positions-legend = Bernsteinfarben positiv, cyan negativ. Im Kosinusbild sagt das helle Band entlang der Diagonale, dass nahe Positionen einander ähneln.

## Das Fenster des Einbettungsraums (M) und sein Zeiger

embedding-win-map-pending = die Karte wird noch erstellt
embedding-win-no-row = Token { $id } hat keine Zeile in der Tabelle dieses Modells
embedding-win-cosine = Kosinus { $value }
embedding-win-hover = { $token } ID { $id }
embedding-win-title = Einbettungsraum
embedding-win-making = Die Karte des Vokabulars wird erstellt...
embedding-win-intro = Jedes der { $count } Tokens beginnt als eine Zeile von wte: { $width } Zahlen. Hier ist jede Zeile ein Punkt, angeordnet entlang der drei Richtungen, in denen sich die Zeilen am stärksten unterscheiden (Hauptkomponenten; sie zeigen { $share } % der Streuung). Tokens, die das Modell ähnlich verwendet, liegen nah beieinander. Hellere Punkte stehen näher.
embedding-win-legend = Bernsteinfarben: die Tokens dieses Prompts. Ein Klick auf einen Punkt zeigt seine nächsten Nachbarn.
embedding-win-nearest = { $token } (ID { $id }): die nächsten nach Kosinus über alle { $width } Zahlen
embedding-win-arithmetic = Vektorrechnung
embedding-win-expect = erwartet
embedding-win-compute = Berechnen
embedding-win-lands = { $expr } landet bei der weißen Markierung; die nächsten Tokens (ohne die eigenen Wörter):
embedding-win-expected = { $token } steht an { $place } Stelle von { $of } (Kosinus { $cosine }). Ein so kleines Modell lernt solche Richtungen nur grob.
# der Punkt nach einer Platzzahl (3. Stelle): im Deutschen immer derselbe
embedding-win-ordinal-one = .
embedding-win-ordinal-two = .
embedding-win-ordinal-few = .
embedding-win-ordinal-other = .

## the side panel's tabs (ui/dock.rs)
tab-inspector = Details
tab-head = Aufmerksamkeitsraster
tab-booth = In der Kabine
tab-model-view = Alle Köpfe
tab-compare = A/B
tab-cost = Kosten
tab-positions = Positionen
tab-embedding = Einbettung
tab-training = Training
tab-close = Dieses Fenster schließen
dock-hide = Seitenleiste wegräumen (die Szene bekommt den Platz)
dock-show = Seitenleiste öffnen: was du gewählt hast, mit seinen echten Zahlen

## learning one sentence (ui/learn.rs, model/learn.rs)
learn-open = Diesen Satz lernen
learn-open-tip = Sieh dem Modell beim Lernen zu: An jeder Stelle des Satzes auf dem Band erfährt es das wahre nächste Wort, und seine Zahlen werden dorthin gerückt
tab-learn = Lernen
learn-title = Diesen Satz lernen
learn-intro = An jedem Wort erfährt das Modell das wahre nächste Wort; Schritt rückt alle seine Zahlen so, dass diese Wörter wahrscheinlicher werden.
learn-loss = Überraschung (Verlust): { $before } Nats wie geladen, { $now } jetzt (Schritte bisher: { $steps })
learn-curve = Überraschung nach jedem Schritt (oben: { $top } Nats)
learn-col-word = Wort
learn-col-next = wahres nächstes Wort
learn-col-before = wie geladen
learn-col-now = jetzt
learn-step = Schritt
learn-step-tip = Ein Update: jedes Gewicht rückt ein wenig gegen seinen Gradienten, dann läuft das Band mit den neuen Gewichten
learn-forget = Vergessen
learn-forget-tip = Zurück zum Modell auf der Platte (das Gelernte fällt weg; die Datei wird nie geschrieben)
learn-rate = Lernrate
learn-rate-tip = Wie weit jeder Schritt die Gewichte rückt: zu klein lernt langsam, zu groß schießt über und die Überraschung wächst wieder
learn-sgd = SGD (einfache Schritte)
learn-adam = Adam (Schritte je Gewicht skaliert)
learn-other = Ein anderer Satz, nicht gelernt:
learn-other-guess = sein Tipp fürs nächste Wort: { $before } wie geladen, { $now } jetzt
learn-other-bad = (dieser Satz ist nicht lesbar: tippe ein paar Wörter)
learn-copy-note = Nur eine Kopie im Speicher lernt; das Modell auf der Platte bleibt, wie es war. Schließen dieses Reiters vergisst.

## activation patching in the A/B window (ui/patching.rs, model/patch.rs)
patch-title = Wo fällt der Unterschied? (Patching)
patch-intro = B läuft erneut mit einem Stück aus A's Lauf, für jede Schicht und jedes Wort: eine helle Zelle ist eine Stelle, die trägt, was A's Tipp ausmacht.
patch-lengths = Patching braucht A und B gleich lang in Tokens (A hat { $a }, B hat { $b }): tausche ein Wort gegen ein Wort.
patch-resid-pre = der Strom in eine Schicht
patch-attn-out = die Ausgabe der Aufmerksamkeit
patch-mlp-out = die Ausgabe des FFN
patch-head = ein Kopf (jedes Wort)
patch-prob = wie wahrscheinlich „{ $word }“ ist
patch-diff = „{ $a }“ gegen „{ $b }“ (Logits)
patch-run = Jede Stelle patchen
patch-run-tip = Lässt B einmal je Schicht und Wort (oder Kopf) laufen, jedes Mal mit diesem Stück aus A's Lauf; abseits des Hauptthreads
patch-cancel = Abbrechen
patch-ends = A: { $clean }, B: { $corrupt } (eine Zelle: B mit diesem Stück aus A)
patch-layer = Schicht { $layer }
patch-cell = Schicht { $layer }, Wort { $position } „{ $word }“
patch-cell-head = Schicht { $layer }, Kopf { $head }
patch-cell-value = B's Maß damit: { $value } ({ $share } % des Wegs von B zu A)
patch-hall = In der Halle: ein violetter Streifen quer über die Spur an der Station, wo diese Aktivierung aus A B mindestens ein Viertel des Wegs bewegt (heller: weiter; ein Kopf: über seine ganze Kabine). Der Boden zeigt A; ein Klick auf eine Zelle zeigt diesen gepatchten Lauf auf dem Boden.
patch-cell-click = Klick: B mit diesem Stück aus A auf dem Boden laufen lassen.
patch-on-floor = Der Boden zeigt B mit A's Stück ({ $place }) eingesetzt (seine Zelle umrandet): die Stationen zeigen diesen gepatchten Lauf (an der gepatchten Stelle sind die Teile einer Formel B's eigene und ergeben nicht A's Stück; die Überraschungsbalken der Kisten bleiben die des unveränderten Modells, wie bei abgeschalteten Teilen; der Anteil jedes Kopfes am Tipp wird nicht gezeigt).
patch-kept-stale = Das Gitter entstand, bevor sich das Modell oder seine abgeschalteten Teile änderten: zurück zu A und neu patchen.
patch-back = Zurück zu A
routes = Wege
routes-tip = Verfolgen, was beim letzten Wort ankommt: die Teile des Modells, die es tragen, in der Halle beleuchtet
tab-routes = Wege
routes-title = Wege zum letzten Wort
routes-intro = Welche Teile tragen, was beim letzten Wort ankommt? Jede hellgrüne Linie in der Halle ist ein Teil, der mehr als den Anteil des Schiebereglers am Strom ausmacht, in den er mündet, zurückverfolgt von der Vermutung für das nächste Wort.
routes-threshold = kleinster gezeigter Anteil
routes-threshold-tip = Niedriger: mehr und schwächere Linien; höher: nur die Hauptstraße
routes-intact = Wege werden am ganzen Modell verfolgt: alle Teile wieder einschalten (und nach dem Patchen zurück zu A), um einen zu sehen.
routes-count = { $n } Linien: { $heads } durch Köpfe, { $ffn } durch FFNs, { $kept } wo der Strom eines Wortes in seiner Spur weiterläuft
routes-no-heads = Hier trägt kein Kopf so viel zwischen Wörtern: den Regler senken, um sie zu sehen.
routes-strongest = Stärkste Linien durch Köpfe
routes-legend = Gerade entlang einer Spur: der Strom des Wortes läuft weiter. Über eine Maschine: ihr FFN fügt hinzu. Quer durch eine Kabine: dieser Kopf trägt ein Wort in die Spur eines anderen. Dicker: ein größerer Anteil. Auf eine Linie zeigen für ihre Zahl.
routes-method = Anteil eines Teils: wie nah er den Strom dorthin bringt, wo er mündet, geteilt durch alle Teile dort (Ferrando und Voita 2024, „Information Flow Routes“).
routes-edge-head = Schicht { $layer }, Kopf { $head } trägt { $from } zu { $to }: { $share } % des Stroms dort
routes-edge-ffn = FFN der Schicht { $layer } bei { $word }: { $share } % des Stroms danach
routes-edge-kept-attn = der Strom von { $word } läuft an den Köpfen der Schicht { $layer } vorbei weiter: { $share } %
routes-edge-kept-ffn = der Strom von { $word } läuft am FFN der Schicht { $layer } vorbei weiter: { $share } %
routes-share-means = Der Anteil sagt, wie viel des Stroms, in den er mündet, dieser Teil ausmacht (alle Teile dort ergeben zusammen 100 %).
routes-edge-head-self = Schicht { $layer }, Kopf { $head } liest { $word } selbst: { $share } % des Stroms dort
routes-fly = über die Köpfe dieser Schicht fliegen: ihr Weg von oben
routes-map = Von oben, Schicht:
routes-map-tip = über Schicht { $layer } fliegen: ihr Weg durch die Köpfe von oben, vom Normtor bis zur Zusammenführung, die Spur des ersten Wortes oben
learn-working = Lernt… { $done } von { $total } Durchgängen gemessen
learn-backward = Den Rückwärtsdurchlauf in der Halle zeigen
learn-backward-tip = Die Kisten fahren von der Versandrampe zurück zur Einbettungspresse; jede Tafel, Lampe und jeder Strahl, an dem sie vorbeikommen, zeigt den Gradienten: wie schnell sich die Überraschung (Verlust) ändert, wenn sich diese eine Zahl ändert
grad-key-positive = karminrote Tinte: diese Zahl zu erhöhen würde die Überraschung erhöhen
grad-key-zero = leeres Papier: keine Wirkung
grad-key-negative = marineblaue Tinte: sie zu erhöhen würde die Überraschung senken
grad-key-note = Gradienten sind Tinte auf Papier, Werte leuchten im Dunkeln: beide sehen nie gleich aus. Dunklere Tinte = größerer Gradient. Das Schild jeder Maschine nennt die Größe des Gradienten ihrer Gewichte. Die Pfeile der Strahlen zeigen jetzt zurück: von jedem Wort zu den Wörtern, die es las, gefärbt nach dem Gradienten dieses Aufmerksamkeitsgewichts.
grad-title = Gradient { $value }
grad-meaning = wie schnell sich die Überraschung (Verlust) pro Einheit ändert, um die sich diese Zahl ändert
grad-computing = (die Kettenregel wird ausgerechnet…)
grad-skip = { $value }  der Strom fließt weiter: dieselbe Zahl eine Station später
grad-branch = { $value }  zurück durch das Normtor, das sie auch speist
grad-total = = { $value }
grad-feeds-qkv = sie speist die { $n } Anfragen, Schlüssel und Werte der Köpfe: Σ Gewicht × deren Gradient
grad-feeds-neurons = sie speist die { $n } Neuronen des FFN: Σ Gewicht × deren Gradient
grad-feeds-words = sie speist die Punktzahl jedes der { $n } Wörter: Σ Gewicht × (Wahrscheinlichkeit − 1 beim wahren nächsten Wort) ÷ Positionen
grad-feeds-stream = sie speist die { $n } Zahlen, die das FFN zum Strom addiert: Σ Gewicht × deren Gradient
grad-feeds-values = der Kopf liest die { $n } Wert-Zahlen des früheren Worts: Σ Wert × Gradient der Kopfausgabe
grad-largest = größte Terme (Eingang: Faktor × Gradient = Anteil):
grad-gauge = { $station } · Gradient der Gewichte { $norm } ({ $share } des größten)
learn-dock-line = als nächstes: „{ $word }“ { $before } wie geladen, { $now } jetzt
