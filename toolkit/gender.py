"""First names and honorifics that tell a person's gender, for pronouns and surnames.

"She said" after two people, or "Ms Pires" in an article naming Ana and Rui Pires, is resolved
by gender when the article gives it.  Pure data and two functions, shared by attribution
(:mod:`toolkit.nlp.attribution`) and name grouping (:mod:`toolkit.compare.names`).  The lists
are short and our own; an unknown name gives ``None`` and nothing is guessed from it.
"""

from __future__ import annotations

__all__ = ["FEMALE_HONORIFICS", "MALE_HONORIFICS", "first_name_gender", "honorific_gender"]

MALE_HONORIFICS = frozenset({"mr", "mister", "sir", "lord", "king", "prince", "father"})
FEMALE_HONORIFICS = frozenset({"mrs", "ms", "miss", "madam", "dame", "lady", "queen", "princess"})

# A small list of common first names (several languages); names ending in "a" that are not
# listed as male count as female (Ana, Marta, Ilona), a convention of many European languages.
MALE_NAMES = frozenset(
    """aaron adam adrian ahmed alan albert alberto aleksandar alex alexander alexandre ali andre andrea andrei andrew
    andrzej anton antonio arne arthur ben benjamin bernard bjorn boris brian bruno carl carlos charles chris christian
    christopher daniel dario david dennis diego dimitri dmitri edward elias emil emmanuel eric erik ernesto ezra fabio
    felipe felix fernando filip francesco francisco frank franz fred friedrich gabriel george georg gerhard giorgio
    giovanni gregory gustav hans harry hassan henrik henry hugh hugo ian ibrahim igor ivan ivo jack jakob james jan javier jean
    jens joao johan johannes john jonas jorge jose josef joseph joshua juan julian karl kenji klaus lars leon leonardo
    liam lorenzo louis luca lucas luis lukas magnus manuel marc marco marcus mario mark markus martin matteo matthew
    max michael michel miguel mikhail milan mohammed muhammad nicolas niels nikola nikolai nils noah olaf oleg oliver
    omar oscar oskar otto pablo paolo patrick paul pavel pedro peter petr philippe pierre rafael rasmus ricardo richard
    robert roberto rui ryan samuel sandro sasha sebastian sergei simon stefan steven sven thomas tim timo tobias tom
    tomas tomasz tomás vladimir walter william wolfgang yuri""".split()
)
FEMALE_NAMES = frozenset(
    """agnes agnès alice amelie anna anne annika astrid beatrice birgit brigitte carmen caroline catherine charlotte
    chloe christine claire clara daphne diane elena elif elisabeth elizabeth ellen emily emma esther eva femke grace
    hanna hannah helen helene hélène ines ingrid irene iris isabel isabelle ilse jane janet jennifer joan johanna judith
    julia julie karen karin katalin kate katherine katrin laura lea linda lisa louise lucy marie marion maria mary
    megan mette michelle mireille miriam nadia nathalie nicole nina noor olga paula petra rachel rebecca rose ruth
    sarah sofia sophie susan susanne sylvie tanja ursula valerie yasmin yvonne zoe""".split()
)


def first_name_gender(name: str) -> str | None:
    """``"m"``/``"f"`` from a first name in the built-in lists (or a final "a" not listed as male), else None."""
    low = name.lower()
    if low in MALE_NAMES:
        return "m"
    if low in FEMALE_NAMES:
        return "f"
    if len(low) > 2 and low.endswith("a") and low.isalpha():
        return "f"
    return None


def honorific_gender(word: str) -> str | None:
    """``"m"``/``"f"`` for "Mr", "Ms.", "Mrs", ... (case and a final dot ignored), else None."""
    low = word.lower().rstrip(".")
    return "m" if low in MALE_HONORIFICS else "f" if low in FEMALE_HONORIFICS else None
