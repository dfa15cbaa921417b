"""Maps, charts, PDFs and HTML made from the workspace's results.

matplotlib would read ``$…$`` in any text as mathematics: a partner called "Treff $^$ Nord"
stopped the Netzwerkkarte and every PDF with it, and "Kosten $5 und $10" lost its dollars. The
names drawn here come from users and files, and no chart or map here writes formulas: text is
text (``text.parse_math`` off for every matplotlib figure of the package)."""
import matplotlib

matplotlib.rcParams["text.parse_math"] = False
