"""Fictional names, e-mails, phones and card numbers for the demo (personal data to be protected)."""

from __future__ import annotations

import numpy as np
import pandas as pd

FIRST = {
    "uk": ["Олена", "Андрій", "Марія", "Тарас", "Ірина", "Оксана", "Дмитро", "Софія", "Богдан", "Наталія",
           "Юлія", "Василь", "Катерина", "Остап", "Галина", "Мирослава"],
    "ru": ["Ольга", "Алексей", "Татьяна", "Сергей", "Елена", "Анна", "Игорь", "Виктория", "Максим", "Светлана",
           "Евгения", "Роман", "Дарья", "Павел", "Людмила", "Кирилл"],
    "en": ["Emma", "Oliver", "Sophie", "James", "Hannah", "Lukas", "Agnieszka", "Mehmet", "Nino", "Charlotte",
           "Piotr", "Anna", "Daniel", "Laura", "Thomas", "Elif"],
}
LAST = {
    "uk": ["Коваленко", "Шевчук", "Бондар", "Ткаченко", "Кравчук", "Мельник", "Олійник", "Литвин"],
    "ru": ["Иванова", "Смирнов", "Кузнецова", "Попов", "Соколова", "Лебедев", "Новикова", "Морозов"],
    "en": ["Smith", "Kowalski", "Schneider", "Yilmaz", "Brown", "Nowak", "Becker", "Beridze"],
}
LATIN = {"uk": "olena andrii mariia taras iryna oksana dmytro sofiia bohdan nataliia yuliia vasyl kateryna ostap "
               "halyna myroslava".split(),
         "ru": "olga aleksei tatiana sergei elena anna igor viktoria maksim svetlana evgenia roman daria pavel "
               "liudmila kirill".split(),
         "en": "emma oliver sophie james hannah lukas agnieszka mehmet nino charlotte piotr anna daniel laura "
               "thomas elif".split()}
DOMAINS = ["example.com", "example.org", "example.net", "mail.example.ua"]
UA_OPERATORS = ["50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99"]
FOREIGN_CODES = {"Polish": "48", "German": "49", "American": "1", "British": "44", "Turkish": "90", "Georgian": "995"}


def make_identities(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Name, e-mail, canonical phone digits and card number for each person (all unique)."""
    n = len(people)
    lang = people["language"].to_numpy()
    first_idx = rng.integers(0, 16, n)
    last_idx = rng.integers(0, 8, n)
    first = [FIRST[l][i] for l, i in zip(lang, first_idx)]
    last = [LAST[l][i] for l, i in zip(lang, last_idx)]
    email = [f"{LATIN[l][i]}.{k:05d}@{DOMAINS[k % 4]}" for k, (l, i) in enumerate(zip(lang, first_idx), start=1)]
    # Drawn without replacement, so no two people share a phone or a card.
    subscriber = rng.choice(9_000_000, n, replace=False) + 1_000_000
    operator = rng.integers(0, len(UA_OPERATORS), n)
    phone = []
    for k, (nat, local) in enumerate(zip(people["nationality"], people["local"])):
        if local:
            phone.append(f"380{UA_OPERATORS[operator[k]]}{subscriber[k]:07d}")
        else:
            phone.append(f"{FOREIGN_CODES[nat]}{subscriber[k]:07d}{operator[k] % 10}{k % 10}")
    card = [f"2700{x:012d}" for x in rng.choice(10**12 - 10**11, n, replace=False) + 10**11]
    return pd.DataFrame({"person_id": people["person_id"], "first_name": first, "last_name": last,
                         "email": email, "phone": phone, "card_number": card})


def display_phone(digits: str, style: int) -> str:
    """The same phone as a person might type it: several formats, one canonical number."""
    if digits.startswith("380") and len(digits) == 12:
        op, rest = digits[3:5], digits[5:]
        return [f"+380 {op} {rest[:3]} {rest[3:5]} {rest[5:]}", f"0{op}-{rest[:3]}-{rest[3:5]}-{rest[5:]}",
                f"0{op}{rest}", f"+380({op}){rest}"][style % 4]
    return [f"+{digits}", f"00{digits}", f"+{digits[:2]} {digits[2:]}"][style % 3]
