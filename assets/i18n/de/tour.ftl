# Die Texte der Standardführung (assets/tours/default.ron fragt sie als „@tour-N“ und „@tour-N.text“ ab).
# Regeln (von einem Test geprüft): erster Satz höchstens 20 Wörter, ganzer Text höchstens 50, jeder Begriff
# wird erklärt, bevor er vorkommt, Zahlen über das Modell nur aus den Argumenten:
# $layers $heads $width $ffn $context $vocab $params.

tour-title = Wie ein Transformer das nächste Wort wählt

tour-1 = 1. Aus Wörtern werden Tokens
    .text = Hier kommt Ihr Text an und wird in Tokens zerlegt: ganze Wörter, Wortteile oder Satzzeichen. Jede Kiste trägt ein Token und seine Nummer im Vokabular des Modells aus { $vocab } Tokens.

tour-2 = 2. Jedes Token bekommt einen Vektor
    .text = An der Presse holt sich jedes Token seine eigene Zeile aus einer gelernten Tabelle. Die Zeile ist eine Liste aus { $width } Zahlen, ein Vektor, auf dem Boden ausgelegt: bernsteinfarbene Felder sind positiv, cyanfarbene negativ, je heller, desto größer.

tour-3 = 3. Eine Karte aller Tokens
    .text = Jedes Token im Vokabular hat eine solche Zeile. Hier ist jede Zeile ein Punkt, angeordnet entlang der drei Richtungen, in denen sich die Zeilen am stärksten unterscheiden. Tokens, die das Modell ähnlich verwendet, liegen nah beieinander. Bernsteinfarbene Blöcke sind Ihre Tokens.

tour-4 = 4. Wo steht jedes Token?
    .text = Die Reihenfolge der Wörter zählt, darum wird für jeden Platz im Text eine zweite gelernte Zeile addiert. Dasselbe Wort an einer anderen Stelle bekommt dadurch einen anderen Vektor.

tour-5 = 5. Die Positionstabelle
    .text = Das sind die gelernten Positionszeilen als Bild, eine Linie pro Platz. Daneben: die festen Sinuswellen des ursprünglichen Transformers und wie ähnlich sich die Plätze paarweise sind. Benachbarte Plätze sehen sich ähnlich.

tour-6 = 6. Das Normtor
    .text = Schicht 0 beginnt. Das Normtor gleicht jeden Vektor an: Es verschiebt seine Zahlen auf den Mittelwert 0 und streckt oder staucht sie auf dieselbe Streuung; dann passt es sie um im Training gelernte Beträge an. So bleiben die Zahlen in einem handhabbaren Bereich.

tour-7 = 7. Anfragen, Schlüssel und Werte
    .text = In einer Prüfkabine für Aufmerksamkeit (attention) bildet jedes Token aus seinem eigenen Vektor drei neue. Eine Anfrage (Query) sagt, was es sucht, ein Schlüssel (Key), was es bietet, ein Wert (Value), was es weitergibt. Jede Anfrage wird mit jedem früheren Schlüssel verglichen.

tour-8 = 8. Softmax und die kausale Maske
    .text = Aus den Vergleichen werden Gewichte, die für jedes Token zusammen 1 ergeben; dieser Schritt heißt Softmax. Ein Token darf nur zurückschauen, daher erhalten spätere Tokens kein Gewicht. Hellere Strahlen tragen mehr Gewicht, die schwächsten sind ausgeblendet.

tour-9 = 9. Viele Köpfe, viele Fragen
    .text = Jede Schicht hat { $heads } Prüfkabinen, eine pro Aufmerksamkeitskopf, jede mit eigenen gelernten Matrizen. Vergleichen Sie ihre Strahlen: Schaut eine auf das vorige Token, eine andere auf das erste? Klicken Sie auf eine Prüfkabine, um ihr Raster zu sehen.

tour-10 = 10. Zusammenführen und das Residual-Förderband
    .text = Die Ergebnisse der Köpfe werden verbunden und mit einer weiteren Matrix gemischt. Dann kommen sie zum Vektor jedes Tokens hinzu, statt ihn zu ersetzen. Diese laufende Summe heißt Residualstrom: Jede Schicht liest ihn und addiert etwas dazu.

tour-11 = 11. Die FFN-Maschine
    .text = Danach durchläuft jedes Token allein ein kleines Netz, das Feed-forward-Netz (FFN). Es weitet den Vektor auf { $ffn } Zahlen, biegt sie mit einer Kurve namens GELU und verschmälert ihn wieder. Jede Lampe ist eines dieser { $ffn } Neuronen und leuchtet im Verhältnis zur stärksten Lampe ihrer Wand.

tour-12 = 12. Schichten stapeln
    .text = Derselbe Block wiederholt sich: Dieses Modell stapelt { $layers } Schichten, GPT-2 small 12, GPT-3 96. Dieser Turm zeigt jeden Kopf jeder Schicht zugleich, ein Stockwerk pro Schicht, jedes Fenster das Raster eines Kopfes. Spätere Schichten bauen auf dem auf, was frühere hinzugefügt haben.

tour-role = 13. Die Gewohnheit eines Kopfes
    .text = Über viele Texte gemessen, hat ein Kopf eigene Gewohnheiten. Der Kopf dieser Kabine, { $role }. Die Wörter unter den Fenstern des Turms und das Schild jeder Kabine sagen dasselbe; ein Kopf ohne klare Gewohnheit heißt gemischt.

tour-13 = 14. Vom Vektor zu Punktzahlen für Tokens
    .text = Nach einem abschließenden Normtor wird der Vektor des letzten Tokens mit jeder Zeile der Tabelle aus der Presse verglichen. Das ergibt eine Punktzahl pro Token des Vokabulars. Nach den Einstellungen für die Zufallsauswahl (Sampling) in Wahrscheinlichkeiten umgerechnet, werden die Punktzahlen zu diesen Balken.

tour-14 = 15. Temperatur
    .text = Die Punktzahlen werden durch die Temperatur geteilt, bevor sie zu Wahrscheinlichkeiten werden. Bei niedriger Temperatur gewinnt fast immer der Favorit; hohe Temperatur verteilt die Chancen breiter. Beobachten Sie, wie die Balken flacher werden.

tour-15 = 16. Sampling: top-k und top-p
    .text = Das nächste Token wird zufällig aus den Balken gezogen. Zuerst behält top-k nur die k wahrscheinlichsten Tokens; dann behält top-p die kleinste Menge, deren Chancen zusammen mindestens p erreichen. Mit festem Startwert (Seed) fällt die Ziehung jedes Mal gleich aus.

tour-16 = 17. Die Schleife und ihr Zwischenspeicher
    .text = Das gezogene Token fährt zurück zum Anfang und läuft allein hindurch. Die Schlüssel und Werte der früheren Tokens warten in einem Zwischenspeicher (Cache), daher wird nur die neue Kiste berechnet, und doch schaut sie weiter auf alle zurück.

tour-17 = 18. Warum lange Texte mehr kosten
    .text = Jedes Token wird mit jedem früheren verglichen, also wachsen die Vergleiche mit dem Quadrat der Länge. Die übrige Arbeit wächst im gleichen Maß wie die Länge. Das Fenster zeigt, ab welcher Länge das Quadrat überwiegt, und wie groß der Zwischenspeicher ist.

tour-18 = 19. Wie das Modell lernte
    .text = Keine Zahl hier wurde von Hand eingestellt. Im Training hat das Modell jedes nächste Token eines langen Textes geraten, und jede Vermutung verschob seine { $params } Parameter ein wenig, damit das richtige Token wahrscheinlicher wurde.

tour-19 = 20. Beim Lernen zusehen
    .text = Während des Trainings wurde das Modell immer wieder gespeichert. Bei Schritt 0 sind seine Zahlen zufällig und seine Vermutungen Rauschen. Ziehen Sie den Schieberegler im Fenster, um denselben Anfangstext (Prompt) bei jedem Schritt laufen zu lassen, und sehen Sie, wie aus den Balken Wörter werden.

tour-learn = 21. Lernen, rückwärts
    .text = Jetzt lernt das Modell an jeder Stelle das wahre nächste Wort. An der Rampe wird seine Überraschung gemessen, und der Gradient fährt zurück zum Anfang. Karminrote Tinte: diese Zahl zu erhöhen würde die Überraschung erhöhen; marineblaue: sie würde sie senken. Dann macht jedes Gewicht einen Schritt gegen seinen Gradienten.

tour-20 = 22. Wie groß ist groß?
    .text = Das Volumen jedes Blocks ist die Zahl der Parameter seines Modells. Die { $params } Parameter dieses Modells ergeben den kleinen Block links; GPT-2 small steht daneben, und die Wand rechts von beiden ist GPT-3 mit 175 Milliarden.

tour-game = 23. Du bist dran
    .text = Kannst du das nächste Wort raten wie das Modell? Hier wird das wahre Wort für dich gewählt, und die Chance des Modells für jede Wahl erscheint. Tippe auf Spiel und spiel selbst fünf Runden.
