"""A second phrase bank for the demo's respondent turns, written apart from the interview codebook.

The codebook's patterns were written from `interview_bank.py`, so coding that bank's sentences only
shows that patterns match their own source. The transcripts are written from this bank instead:
paraphrases, codes implied without their usual words, typos and chat spelling, uk/ru code-switching,
long rambling turns, negations ("not expensive at all") and turns that carry no code.

Every phrase is labelled with the codes it truly expresses, and the demo's truth is written from
these labels: a phrase in `THEMES[code]` expresses `code` (and any codes listed beside it); a
negated phrase names the code whose words it borrows (`decoy`) and is labelled with what it means,
which is never the decoy. No phrase holds a personal name, a contact or a brand, and the Ukrainian
and Russian phrases avoid gendered first-person forms so any respondent can say them.
"""

from __future__ import annotations

from typing import NamedTuple


class Phrase(NamedTuple):
    text: str
    codes: tuple[str, ...]


class Negated(NamedTuple):
    text: str
    decoy: str  # the code a keyword search would wrongly give it
    codes: tuple[str, ...]  # what it truly expresses


def _also(text: str, *codes: str) -> tuple[str, tuple[str, ...]]:
    """A phrase that expresses further codes besides the one it is filed under."""
    return text, codes


# code -> language -> phrases; an entry is a sentence, or (sentence, further codes) from _also.
THEMES: dict[str, dict[str, list]] = {
    "quality_materials": {
        "en": ["Honestly I'd rather buy one jumper that holds up than three that fall apart by March.",
               "The first thing I do is rub the sleeve between my fingers, and if it feels flimsy I'm out.",
               "i hate when stuff gets those little bobbles after two washes, thats a dealbreaker for me",
               "So my mum always said buy less but buy well, and I guess it stuck, like, I still wear a cardigan "
               "from years ago and it looks fine, the knit is tight, the buttons are all there, and that's what "
               "I'm after really, things that are made properly."],
        "uk": ["Краще одна добра річ, ніж три, які розлізуться до весни.",
               "Я завжди мну рукав пальцями: якщо відчувається хлипким, одразу ні.",
               "ненавиджу коли після двох прань катишки, для мене це все, більше не беру",
               "Мама завжди казала: купуй менше, але добре. Ну і от, досі ношу кардиган, якому років шість, "
               "в'язка щільна, ґудзики на місці, от таке мені й треба, щоб зроблено на совість."],
        "ru": ["Лучше одна хорошая вещь, чем три, которые расползутся к весне.",
               "Я всегда мну рукав пальцами: если на ощупь хлипко, сразу нет.",
               "терпеть не могу когда после пары стирок катышки, это для меня стоп",
               "Мама всегда говорила: покупай меньше, но лучше. Вот и ношу до сих пор кардиган, которому лет "
               "шесть, вязка плотная, пуговицы на месте, вот это мне и нужно, чтобы сделано было на совесть."]},
    "new_styles": {
        "en": ["I get a kick out of wearing something before everyone else catches on.",
               "My wardrobe turns over every few months, I can't stand wearing the same look for long.",
               "im always the first of my friends to try whatever just came out, love being ahead of the curve",
               "Look, I work in an office where everyone wears beige, so clothes are where I get to play a bit, "
               "last month it was wide trousers with a cropped jacket, next month who knows, I just don't want "
               "to look like I did last year."],
        "uk": ["Мені подобається вдягти щось раніше, ніж це з'явиться в усіх.",
               "Мій гардероб оновлюється кожні кілька місяців, одне й те саме швидко набридає.",
               "серед подруг я завжди пробую новинки раніше за всіх, люблю бути на крок попереду",
               "Дивіться, в офісі всі в бежевому, тож одяг для мене це місце погратися. Минулого місяця були "
               "широкі штани з короткою курткою, наступного хтозна, головне не виглядати так, як торік."],
        "ru": ["Мне нравится надеть что-то раньше, чем это появится у всех.",
               "Мой гардероб обновляется каждые несколько месяцев, одно и то же быстро надоедает.",
               "среди подруг я всегда раньше всех пробую новинки, люблю быть на шаг впереди",
               "Смотрите, в офисе все в бежевом, так что одежда для меня это место поиграть. В прошлом месяце "
               "были широкие брюки с короткой курткой, в следующем кто знает, главное не выглядеть как в "
               "прошлом году."]},
    "discount_deals": {
        "en": ["Full price? No way, I wait until it's marked down.",
               "I've got alerts set up so I know the moment things drop by thirty or forty percent.",
               "tbh seventy percent off is the only thing that gets me through the door lol",
               "My sister laughs at me because I keep a list of what I want and then sit on it for weeks until "
               "Black Friday or the end-of-season clearance, and then I buy the whole list at once, it feels "
               "like winning."],
        "uk": ["Повну ціну? Та ні, я чекаю, поки уцінять.",
               "У мене стоять сповіщення, щоб знати, коли щось дешевшає на тридцять-сорок відсотків.",
               "чесно, тільки мінус сімдесят відсотків може мене заманити в магазин, ахах",
               "Сестра з мене сміється, бо я тримаю список бажань і тижнями нічого не купую, чекаю чорну "
               "п'ятницю або кінець сезону, коли все віддають за безцінь, і тоді беру все разом, відчуття як "
               "від виграшу."],
        "ru": ["Полную цену? Ну уж нет, я жду, пока уценят.",
               "У меня стоят уведомления, чтобы знать, когда что-то дешевеет на тридцать-сорок процентов.",
               "честно, только минус семьдесят процентов может меня заманить в магазин, ахах",
               "Сестра надо мной смеётся, потому что я держу список желаний и неделями ничего не покупаю, жду "
               "чёрную пятницу или конец сезона, когда всё отдают за бесценок, и тогда беру всё разом, ощущение "
               "как от выигрыша."]},
    "gift_giving": {
        "en": ["Most of the bags I buy aren't for me, they're for my sister and my godmother.",
               _also("When someone close has a birthday coming up, that's where I go to find them something.",
                     "holidays"),
               "A nice scarf makes anyone's day, I pick them up for people all the time.",
               "It's funny, I almost never shop for myself there, it's more like my mum, my best friend, the woman "
               "from accounting who helped me out, I think about what colour they'd wear, and I actually enjoy "
               "that more than buying for me."],
        "uk": ["Більшість сумок, які я купую, не для мене, а для сестри й хрещеної.",
               _also("Коли в когось із близьких скоро день народження, я йду туди щось вибрати.", "holidays"),
               "Гарний шарфик тішить будь-кого, я постійно беру такі для людей.",
               "Смішно, але собі я там майже нічого не купую: то мамі, то найкращій подрузі, то жінці з "
               "бухгалтерії, яка мене виручила. Думаю, який колір їм пасує, і мені це навіть приємніше, ніж "
               "купувати собі."],
        "ru": ["Большинство сумок, которые я покупаю, не для меня, а для сестры и крёстной.",
               _also("Когда у кого-то из близких скоро день рождения, я иду туда что-то выбрать.", "holidays"),
               "Хороший шарфик радует кого угодно, я постоянно беру такие для людей.",
               "Смешно, но себе я там почти ничего не покупаю: то маме, то лучшей подруге, то женщине из "
               "бухгалтерии, которая меня выручила. Думаю, какой цвет им пойдёт, и мне это даже приятнее, чем "
               "покупать себе."]},
    "kids_clothes": {
        "en": ["My boys go through trousers like nobody's business, the knees are gone in a month.",
               "Most of the money goes on the little ones, I barely buy anything for myself.",
               "back to school is a nightmare, three of them and they all need evrything new",
               "With a toddler and a nine-year-old it never stops, one needs bigger shoes, the other just got "
               "paint all over the only decent jumper, so I'm in there every few weeks picking up leggings and "
               "vests and whatever they've outgrown this time."],
        "uk": ["Мої хлопці протирають штани на колінах за місяць.",
               "Більшість грошей іде на малих, собі майже нічого не купую.",
               "перед першим вересня просто жах, троє малих і всім треба все нове",
               "З малюком і дев'ятирічною це безкінечно: одному потрібне більше взуття, друга щойно заляпала "
               "фарбою єдиний пристойний светр, тож я там кожні кілька тижнів, беру лосини, майки і все, з чого "
               "вони цього разу виросли."],
        "ru": ["Мои мальчишки протирают штаны на коленях за месяц.",
               "Большая часть денег уходит на малых, себе почти ничего не покупаю.",
               "перед первым сентября просто ужас, трое малых и всем надо всё новое",
               "С малышом и девятилетней это бесконечно: одному нужна обувь побольше, вторая только что заляпала "
               "краской единственный приличный свитер, так что я там каждые пару недель, беру лосины, майки и "
               "всё, из чего они на этот раз выросли."]},
    "client_styling": {
        "en": ["I put together wardrobes for a few people who don't have time to shop themselves.",
               "Half the time I'm buying for a shoot rather than for me, and whatever we don't use goes back.",
               "im a personal shopper so i buy for other peopel mostly",
               "My job is basically dressing other people, I work with a couple of TV presenters and a businesswoman "
               "who hates shopping, so I come in with their measurements on my phone, pull options, and they pick "
               "at home."],
        "uk": ["Я підбираю гардероб кільком людям, у яких немає часу ходити по магазинах.",
               "Часто купую під зйомку, а не для себе, а що не знадобилося, здаю назад.",
               "я персональний шопер, тож купую в основному для інших",
               "Моя робота, по суті, вдягати інших людей: працюю з парою телеведучих і бізнесвумен, яка ненавидить "
               "шопінг. Приходжу з їхніми мірками в телефоні, збираю варіанти, а вони обирають удома."],
        "ru": ["Я подбираю гардероб нескольким людям, у которых нет времени ходить по магазинам.",
               "Часто покупаю под съёмку, а не для себя, а что не пригодилось, сдаю обратно.",
               "я персональный шоппер, так что покупаю в основном для других",
               "Моя работа, по сути, одевать других людей: работаю с парой телеведущих и бизнесвумен, которая "
               "ненавидит шопинг. Прихожу с их мерками в телефоне, собираю варианты, а они выбирают дома."]},
    "timeless_classics": {
        "en": ["A good white shirt and navy trousers, that's me, I don't chase anything.",
               "I want things I can still wear in ten years without looking dated.",
               "trench coat, loafers, pearls, im basicaly my grandmother and proud of it",
               "People ask why I always look the same and, well, I found what works, straight lines, muted colours, "
               "nothing with a logo, and I see no reason to reinvent myself every spring."],
        "uk": ["Добра біла сорочка і темно-сині штани, це я, ні за чим не женуся.",
               "Хочу речі, які й через десять років не виглядатимуть застарілими.",
               "тренч, лофери, перли, короче я як моя бабуся і пишаюся цим",
               "Мене питають, чому я завжди виглядаю однаково. Ну, своє вже знайдено: прямі "
               "лінії, приглушені кольори, жодних логотипів, і я не бачу сенсу щовесни вигадувати себе заново."],
        "ru": ["Хорошая белая рубашка и тёмно-синие брюки, это я, ни за чем не гонюсь.",
               "Хочу вещи, которые и через десять лет не будут выглядеть устаревшими.",
               "тренч, лоферы, жемчуг, короче я как моя бабушка и горжусь этим",
               "Меня спрашивают, почему я всегда выгляжу одинаково. Ну, нашлось своё: прямые линии, приглушённые "
               "цвета, никаких логотипов, и я не вижу смысла каждую весну придумывать себя заново."]},
    "high_price": {
        "en": ["After rent and bills there just isn't room for a coat that costs that much.",
               "I look at the tag, do the maths, and put it back on the rail.",
               "its way too pricey for me tbh, id love to but no",
               "I do like their things, I really do, I walk past the window and think oh that's nice, but then I "
               "remember the car insurance and the dentist this month, and a jumper at that money just isn't "
               "happening."],
        "uk": ["Після оренди й комуналки на пальто за такі гроші просто нічого не лишається.",
               "Дивлюся на бирку, рахую в голові і вішаю назад.",
               "для мене це прям кусається, чесно, хотілося б, але ні",
               "Мені подобаються їхні речі, правда. Проходжу повз вітрину і думаю: ох, гарно. А потім згадую, що "
               "цього місяця страховка на машину і стоматолог, і светр за такі гроші, ну ніяк."],
        "ru": ["После аренды и коммуналки на пальто за такие деньги просто ничего не остаётся.",
               "Смотрю на бирку, считаю в уме и вешаю обратно.",
               "для меня это прям кусается, чесно, хотелось бы, но нет",
               "Мне нравятся их вещи, правда. Прохожу мимо витрины и думаю: ох, красиво. А потом вспоминаю, что в "
               "этом месяце страховка на машину и стоматолог, и свитер за такие деньги, ну никак."]},
    "fit_problems": {
        "en": ["I'm a medium on top and a large on the bottom, and their things never work for that.",
               "Their trousers are either long enough or right at the waist, never both.",
               "everything gapes at the back on me, ive given up on there jeans",
               "I've got broad shoulders from years of swimming, so jackets pull across the back, and if I go up a "
               "size the sleeves swallow my hands, I tried three times, different models, same story."],
        "uk": ["Зверху в мене M, а знизу L, і їхні речі під це ніколи не підходять.",
               "Їхні штани або достатньо довгі, або добре в талії, але ніколи все разом.",
               "на мені все відстовбурчується на спині, їхні джинси для мене вже все, без шансів",
               "У мене широкі плечі після років плавання, тож жакети тягнуть на спині, а якщо брати більше, рукави "
               "закривають долоні. Пробувалося тричі, різні моделі, та сама історія."],
        "ru": ["Сверху у меня M, а снизу L, и их вещи под это никогда не подходят.",
               "Их брюки либо достаточно длинные, либо хорошо в талии, но никогда всё сразу.",
               "на мне всё топорщится на спине, ихние джинсы для меня уже всё, забыли",
               "У меня широкие плечи после многих лет плавания, так что пиджаки тянут на спине, а если брать "
               "побольше, рукава закрывают ладони. Пробовалось трижды, разные модели, та же история."]},
    "limited_range": {
        "en": ["By the time I get there, only the tiniest and the biggest sizes are left.",
               "It's the same twenty things on every rail, there's nothing to pick from.",
               "wanted the green one. out of stock. again.",
               _also("I saw a dress online, went in on Saturday, they had it in one colour and not mine, the girl "
                     "said maybe with the next delivery, I went back the week after and it had vanished altogether, "
                     "so I just gave up.", "online_shop", "store_visit")],
        "uk": ["Поки я дістаюся, лишаються тільки найменші й найбільші розміри.",
               "На кожній вішалці ті самі двадцять речей, нема з чого обирати.",
               "хотілося зелену. нема. знову.",
               _also("Бачу сукню на сайті, йду в суботу, а там вона в одному кольорі і не в моєму. Продавчиня "
                     "каже, може, з наступним привозом. Приходжу через тиждень, а її вже взагалі не стало, тож "
                     "просто здаюся.", "online_shop", "store_visit")],
        "ru": ["Пока я добираюсь, остаются только самые маленькие и самые большие размеры.",
               "На каждой вешалке одни и те же двадцать вещей, не из чего выбирать.",
               "хотелось зелёную. нету. опять.",
               _also("Вижу платье на сайте, иду в субботу, а там оно в одном цвете и не в моём. Продавщица "
                     "говорит, может, со следующим завозом. Прихожу через неделю, а его уже вообще не стало, так "
                     "что просто сдаюсь.", "online_shop", "store_visit")]},
    "slow_delivery": {
        "en": ["I ordered on the first and it turned up on the fifteenth.",
               "The parcel sat in some warehouse and nobody could tell me where it was.",
               "delivery is sooo slow, by the time it comes i dont even want it anymore",
               "I ordered something ten days ahead thinking that's plenty, and it still arrived after I needed it, "
               "and when I rang them they just kept saying it's on its way, it's on its way."],
        "uk": ["Замовляю першого числа, а приходить п'ятнадцятого.",
               "Посилка лежала десь на складі, і ніхто не міг сказати, де вона.",
               "доставка ну дууже повільна, поки приїде, вже й не хочеться",
               "Замовляю щось за десять днів, думаю, з запасом, а воно все одно приходить, коли вже не треба. "
               "Дзвоню їм, а вони тільки й кажуть: у дорозі, у дорозі."],
        "ru": ["Заказываю первого числа, а приходит пятнадцатого.",
               "Посылка лежала где-то на складе, и никто не мог сказать, где она.",
               "доставка ну оооочень медленная, пока приедет, уже и не хочется",
               "Заказываю что-то за десять дней, думаю, с запасом, а оно всё равно приходит, когда уже не надо. "
               "Звоню им, а они только и говорят: в пути, в пути."]},
    "unfamiliar_brand": {
        "en": ["To be honest I couldn't tell you a single thing they sell.",
               "I've walked past the sign, but I've no idea what they're about.",
               "never come across them before this tbh",
               "I think someone at work mentioned them once, or maybe that was a different shop, I get all these "
               "names mixed up, so I wouldn't know if they're any good, I'd have to look them up first."],
        "uk": ["Чесно, я навіть не скажу, що вони продають.",
               "Повз вивіску проходжу, але гадки не маю, що це за магазин.",
               "до цього опитування про них ні слуху ні духу, не траплялися вони мені",
               "Здається, хтось на роботі їх колись згадував, а може, то був інший магазин, я ці назви плутаю, "
               "тож не знаю, чи вони хороші, спершу треба було б почитати про них."],
        "ru": ["Честно, я даже не скажу, что они продают.",
               "Мимо вывески прохожу, но понятия не имею, что это за магазин.",
               "до этого опроса про них ни слуху ни духу, не попадались они мне",
               "Кажется, кто-то на работе их когда-то упоминал, а может, это был другой магазин, я эти названия "
               "путаю, так что не знаю, хорошие ли они, сначала надо было бы почитать про них."]},
    "natural_fabrics_certified": {
        "en": ["I read the label, and if it says a hundred percent cotton or linen, I believe them.",
               "There's a little eco stamp on their tags, and that's actually why I trust what they say.",
               "no polyester pls, only cotton linen merino, and show me the paperwork",
               "I have really sensitive skin, so I've become a bit obsessive, I turn every item inside out and read "
               "what it's made of, and when a shop has proper third-party checks on the cotton I relax, otherwise "
               "I assume it's just marketing."],
        "uk": ["Я читаю етикетку: якщо там сто відсотків бавовни чи льону, я їм вірю.",
               "На їхніх бирках є маленька екопозначка, і саме тому я їм довіряю.",
               "ніякого поліестеру, тільки бавовна, льон, меріно, і покажіть документ",
               "У мене дуже чутлива шкіра, тож я на цьому трохи зациклююся: вивертаю кожну річ і читаю, з чого вона. "
               "Коли бавовну перевіряє незалежна організація, я заспокоююся, інакше думаю, що це просто маркетинг."],
        "ru": ["Я читаю этикетку: если там сто процентов хлопка или льна, я им верю.",
               "На их бирках есть маленький экозначок, и именно поэтому я им доверяю.",
               "никакого полиэстера, только хлопок, лён, мерино, и покажите бумагу",
               "У меня очень чувствительная кожа, так что я на этом немного зацикливаюсь: выворачиваю каждую вещь и "
               "читаю, из чего она. Когда хлопок проверяет независимая организация, я успокаиваюсь, иначе думаю, что "
               "это просто маркетинг."]},
    "free_returns": {
        "en": ["If it doesn't fit I just drop it at the post office and they don't charge me a thing.",
               "Knowing I can change my mind takes the risk out of it.",
               "i order 3 sizes, keep one, the rest goes back, no cost",
               "The reason I'll buy from them online at all is that when I got the size wrong last time they sorted "
               "it in two days, no questions, no fee, money back on my card, that kind of thing makes me trust a "
               "shop."],
        "uk": ["Якщо не підійшло, просто несу на пошту, і з мене нічого не беруть.",
               "Коли знаю, що можна передумати, купувати не страшно.",
               "замовляю 3 розміри, один лишаю, решту назад, безкоштовно",
               "Я взагалі наважуюся купувати в них онлайн тільки тому, що минулого разу не вгадався розмір, і "
               "вони все вирішили за два дні: без питань, без комісії, гроші на картку. Таке й викликає довіру."],
        "ru": ["Если не подошло, просто несу на почту, и с меня ничего не берут.",
               "Когда знаю, что можно передумать, покупать не страшно.",
               "заказываю 3 размера, один оставляю, остальное назад, бесплатно",
               "Я вообще решаюсь покупать у них онлайн только потому, что в прошлый раз не угадался размер, и "
               "они всё решили за два дня: без вопросов, без комиссии, деньги на карту. Вот это и вызывает "
               "доверие."]},
    "expert_advice": {
        "en": ["The woman on the floor took one look at me and knew exactly which shape would work.",
               "They actually know what goes with what, I trust their eye more than mine.",
               "the guy there styled my whole outfit in five mins, he knows his stuff",
               "I'm hopeless at combining things, so I go when it's quiet and ask the staff, and they don't just "
               "push things, they tell me honestly when something doesn't suit me, which is rare."],
        "uk": ["Жінка в залі глянула на мене один раз і одразу знала, який фасон мені піде.",
               "Вони справді знають, що з чим поєднується, їхньому оку я довіряю більше, ніж своєму.",
               "хлопець там за п'ять хвилин скомбінував мені весь лук, шарить чувак",
               "Поєднувати речі я зовсім не вмію, тож приходжу, коли людей мало, і питаю працівників. Вони не просто "
               "впарюють, а чесно кажуть, коли щось мені не личить, а це рідкість."],
        "ru": ["Женщина в зале один раз на меня посмотрела и сразу знала, какой фасон мне пойдёт.",
               "Они правда знают, что с чем сочетается, их глазу я доверяю больше, чем своему.",
               "парень там за пять минут скомбинировал мне весь лук, шарит чувак",
               "Сочетать вещи я совсем не умею, так что прихожу, когда людей мало, и спрашиваю сотрудников. Они не "
               "просто впаривают, а честно говорят, когда что-то мне не идёт, а это редкость."]},
    "instagram": {
        "en": ["I mostly find things while scrolling on my phone in the evening.",
               "If someone I follow posts an outfit, I screenshot it and go looking.",
               "saw it on insta, ordered it that night lol",
               "It's TikTok and Instagram really, I follow a few women my age who post what they wear to work, and "
               "when something keeps popping up I start wanting it, I know it's the algorithm, but it works on me."],
        "uk": ["Здебільшого знаходжу речі, коли ввечері гортаю телефон.",
               "Якщо хтось, на кого я підписуюсь, викладає образ, роблю скрін і йду шукати.",
               "бачу в інсті і того ж вечора замовляю, хаха",
               "Це тікток і інстаграм, чесно. Я підписуюсь на кількох жінок мого віку, які показують, що вдягають "
               "на роботу, і коли щось постійно вискакує, мені вже хочеться. Розумію, що це алгоритм, але на мене "
               "працює."],
        "ru": ["В основном нахожу вещи, когда вечером листаю телефон.",
               "Если кто-то, на кого я подписываюсь, выкладывает образ, делаю скрин и иду искать.",
               "вижу в инсте и тем же вечером заказываю, хаха",
               "Это тикток и инстаграм, честно. Я подписываюсь на нескольких женщин моего возраста, которые "
               "показывают, что надевают на работу, и когда что-то постоянно всплывает, мне уже хочется. Понимаю, "
               "что это алгоритм, но на меня работает."]},
    "store_visit": {
        "en": ["I need to touch things and try them on, so I go in person.",
               "On Saturday afternoons I do a loop of the shops near my work.",
               "i dont trust photos, gotta see it irl",
               "Buying online never works for me, colours are off, sizes are off, so I make an afternoon of it, walk "
               "around, have a coffee, pop into three or four places, that's my way of shopping."],
        "uk": ["Мені треба помацати й приміряти, тому я ходжу особисто.",
               "У суботу по обіді обходжу магазини біля роботи.",
               "фоткам не вірю, треба побачити вживу",
               "Онлайн мені ніколи не заходить: кольори не ті, розміри не ті. Тож я роблю з цього прогулянку: "
               "ходжу, п'ю каву, заглядаю в три-чотири місця, от такий мій шопінг."],
        "ru": ["Мне нужно потрогать и примерить, поэтому я хожу лично.",
               "В субботу после обеда обхожу магазины возле работы.",
               "фоткам не верю, надо увидеть вживую",
               "Онлайн мне никогда не заходит: цвета не те, размеры не те. Так что я делаю из этого прогулку: "
               "хожу, пью кофе, заглядываю в три-четыре места, вот такой мой шопинг."]},
    "online_shop": {
        "en": ["I order everything from my phone, usually late at night.",
               "I fill up my basket and let it sit for a few days before I pay.",
               "browsing there site on the sofa is basically my evening ritual",
               "With two jobs I don't have time to wander round shops, so I look at their listings on the bus, "
               "filter by my size and order, and it comes to the pickup point near my house."],
        "uk": ["Я все замовляю з телефона, зазвичай пізно ввечері.",
               "Накидаю речей у кошик і тримаю кілька днів, перш ніж оплатити.",
               "гортати їхній сайт на дивані, це мій вечірній ритуал",
               "Маю дві роботи, часу ходити по магазинах немає, тож переглядаю в них каталог у маршрутці, ставлю "
               "фільтр на свій розмір і замовляю, а забираю на пункті видачі біля дому."],
        "ru": ["Я всё заказываю с телефона, обычно поздно вечером.",
               "Накидаю вещей и держу несколько дней, прежде чем оплатить.",
               "листать их сайт на диване, это мой вечерний ритуал",
               "У меня две работы, времени ходить по магазинам нет, так что смотрю у них каталог в маршрутке, "
               "ставлю фильтр на свой размер и заказываю, а забираю в пункте выдачи возле дома."]},
    "friends_recommend": {
        "en": ["I went there because my sister-in-law wouldn't stop talking about it.",
               "If people I trust say a shop is good, that's enough for me.",
               "my mate swore by their jeans so i gave it a go",
               "It was my neighbour actually, she came over in this lovely coat and I asked where it was from, and "
               "then my cousin said the same thing a week later, so I thought okay, two people, let's see."],
        "uk": ["Туди мене привела невістка, вона постійно про нього розказувала.",
               "Якщо люди, яким я довіряю, кажуть, що магазин хороший, мені цього досить.",
               "кума божилася, що в них найкращі джинси, ну довелося спробувати",
               "Насправді це сусідка: прийшла в такому гарному пальті, я питаю, звідки, а через тиждень двоюрідна "
               "сестра сказала те саме. Ну думаю, двоє людей, треба подивитися."],
        "ru": ["Туда меня привела невестка, она постоянно про него рассказывала.",
               "Если люди, которым я доверяю, говорят, что магазин хороший, мне этого достаточно.",
               "кума божилась, что у них лучшие джинсы, ну и пришлось попробовать",
               "На самом деле это соседка: пришла в таком красивом пальто, я спрашиваю, откуда, а через неделю "
               "двоюродная сестра сказала то же самое. Ну думаю, два человека, надо посмотреть."]},
    "fitting_help": {
        "en": ["What wins me over is someone bringing the next size while I'm still behind the curtain.",
               "I hate getting dressed again just to fetch another size, so a bit of help there matters.",
               "staff checking on u while ur trying stuff on = instant loyalty",
               "I once had four things to try and the assistant kept swapping them for me, bringing a belt, another "
               "colour, I didn't have to step out once, and that's why I keep going back there rather than anywhere "
               "else."],
        "uk": ["Мене підкуповує, коли мені приносять наступний розмір, поки я ще за шторкою.",
               "Ненавиджу знову одягатися тільки для того, щоб піти по інший розмір, тому допомога там важлива.",
               "коли персонал заглядає, поки ти міряєш, це одразу плюс сто до лояльності",
               "Якось у мене було чотири речі на приміряти, і дівчина весь час їх міняла, принесла пасок, інший "
               "колір, мені жодного разу не довелося виходити. Через це я й повертаюся туди, а не кудись ще."],
        "ru": ["Меня подкупает, когда мне приносят следующий размер, пока я ещё за шторкой.",
               "Ненавижу снова одеваться только чтобы сходить за другим размером, поэтому помощь там важна.",
               "когда персонал заглядывает, пока ты меряешь, это сразу плюс сто к лояльности",
               "Как-то у меня было четыре вещи померить, и девушка всё время их меняла, принесла ремень, другой "
               "цвет, мне ни разу не пришлось выходить. Поэтому я и возвращаюсь туда, а не куда-то ещё."]},
    "gift_wrapping": {
        "en": ["They put it in a lovely box with a bow, so I don't have to do anything.",
               "Being able to buy a voucher when I've no idea what someone wants is a lifesaver.",
               "the wrapping is so pretty i keep the boxes lol",
               _also("For presents it's the service that decides it, they pack it beautifully, write a little note "
                     "if you ask, and I can hand it over straight away without running around for paper and tape.",
                     "gift_giving")],
        "uk": ["Вони кладуть усе в гарну коробку з бантом, і мені нічого не треба робити.",
               "Можливість купити сертифікат, коли не знаєш, чого людина хоче, це порятунок.",
               "обгортка така гарна, що я коробки зберігаю, ахах",
               _also("Для подарунків вирішує сервіс: красиво запаковують, напишуть записку, якщо попросиш, і я можу "
                     "одразу вручити, не бігаючи за папером і скотчем.", "gift_giving")],
        "ru": ["Они кладут всё в красивую коробку с бантом, и мне ничего не надо делать.",
               "Возможность купить сертификат, когда не знаешь, чего человек хочет, это спасение.",
               "обёртка такая красивая, что я коробки храню, ахах",
               _also("Для подарков решает сервис: красиво запаковывают, напишут записку, если попросишь, и я могу "
                     "сразу вручить, не бегая за бумагой и скотчем.", "gift_giving")]},
    "fast_delivery": {
        "en": ["If I order before lunch and it's at my door the next morning, they've got me.",
               "What decides it for me is how quickly it arrives, I'm impatient.",
               "ordered at 10am, had it by dinner, amazing",
               "I'm always last-minute, so I need a shop that can get it to me by the weekend, and they've never "
               "missed, I've tested them a few times ordering on a Thursday for a Saturday."],
        "uk": ["Якщо замовляю до обіду, а наступного ранку воно вже під дверима, все, вони мене купили.",
               "Для мене вирішує, як швидко привезуть, я нетерпляча людина.",
               "замовлення о 10, ввечері вже в руках, кайф",
               "Я вічно все в останній момент, тож мені потрібен магазин, який привезе до вихідних. Вони жодного "
               "разу не підвели, перевірено кілька разів: замовлення в четвер на суботу."],
        "ru": ["Если заказываю до обеда, а следующим утром оно уже под дверью, всё, я их.",
               "Для меня решает, как быстро привезут, я нетерпеливый человек.",
               "заказ в 10 утра, вечером уже в руках, кайф",
               "Я вечно всё в последний момент, так что мне нужен магазин, который привезёт к выходным. Они ни "
               "разу не подвели, проверено несколько раз: заказ в четверг на субботу."]},
    "tailoring": {
        "en": ["I'm short, so being able to get trousers taken up right there is huge.",
               "They'll nip in the waist for me, and that's why I buy suits there.",
               "free hem on jeans!! thats the only reason i go",
               _also("Nothing off the rack ever fits me perfectly, sleeves are usually too long, so I'd rather buy "
                     "from a place with a seamstress on site who sorts it in a couple of days than drag it to "
                     "someone across town.", "fit_problems")],
        "uk": ["Я невисока людина, тож можливість одразу вкоротити штани там же, це дуже важливо.",
               "Вони підберуть мені талію, тому костюми я купую саме там.",
               "безкоштовно підрізають джинси!! тільки через це й ходжу",
               _also("На мене ніщо з вішалки не сідає ідеально, рукави зазвичай задовгі, тож краще купувати там, де є "
                     "своя швачка і все робить за пару днів, ніж тягти через усе місто.", "fit_problems")],
        "ru": ["Я невысокий человек, так что возможность сразу укоротить брюки прямо там очень важна.",
               "Они подберут мне талию, поэтому костюмы я покупаю именно там.",
               "бесплатно подрезают джинсы!! только из-за этого и хожу",
               _also("На меня ничего с вешалки не садится идеально, рукава обычно длинноваты, так что лучше покупать "
                     "там, где есть своя швея и всё делает за пару дней, чем тащить через весь город.",
                     "fit_problems")]},
    "season_change": {
        "en": ["When the first cold mornings come, I suddenly realise I have nothing to wear.",
               "Every March and every October I do a big wardrobe refresh.",
               "as soon as it warms up i need new sandals, every single year",
               "I pack away the winter things in April and that's when I see what's worn out, so I go and replace "
               "a few bits, and then the same again when the heating comes on."],
        "uk": ["Коли настають перші холодні ранки, раптом розумію, що нема чого вдягти.",
               "Щороку в березні й жовтні я капітально оновлюю гардероб.",
               "тільки потеплішає, мені треба нові сандалі, кожен рік одне й те саме",
               "У квітні ховаю зимові речі і тоді бачу, що зносилося, йду і докуповую дещо, а потім те саме, коли "
               "вмикають опалення."],
        "ru": ["Когда наступают первые холодные утра, вдруг понимаю, что нечего надеть.",
               "Каждый год в марте и октябре я капитально обновляю гардероб.",
               "только потеплеет, мне нужны новые сандалии, каждый год одно и то же",
               "В апреле убираю зимние вещи и тогда вижу, что износилось, иду и докупаю кое-что, а потом то же "
               "самое, когда включают отопление."]},
    "holidays": {
        "en": ["December is when I spend the most, there's a party every other weekend.",
               "Before Easter I always buy myself something new, it's a family tradition.",
               "new yrs eve outfit is like a whole project for me",
               "We have a big family, so there's a name day or somebody's anniversary or a Christmas dinner every "
               "month, and I like turning up in something fresh, so a lot of my shopping is really around those "
               "dates."],
        "uk": ["Найбільше я витрачаю в грудні, там вечірка через вихідні.",
               "Перед Паскою я завжди купую собі щось нове, це в нас сімейна традиція.",
               "образ на новий рік це для мене цілий проєкт",
               "У нас велика родина, тож щомісяця то іменини, то чиясь річниця, то різдвяна вечеря, і мені "
               "подобається приходити в чомусь новому, тож багато покупок у мене якраз навколо цих дат."],
        "ru": ["Больше всего я трачу в декабре, там вечеринка через выходные.",
               "Перед Пасхой я всегда покупаю себе что-то новое, это у нас семейная традиция.",
               "образ на новый год это для меня целый проект",
               "У нас большая семья, так что каждый месяц то именины, то чья-то годовщина, то рождественский ужин, "
               "и мне нравится приходить в чём-то новом, так что много покупок у меня как раз вокруг этих дат."]},
    "special_event": {
        "en": ["I needed something for my brother's wedding and I was panicking.",
               "When I have an important meeting I want an outfit that makes me feel sharp.",
               _also("prom dress shopping w my daughter was the only time i went there", "kids_clothes"),
               "I had an interview at a bank last spring and nothing suitable, so I bought a proper jacket and "
               "trousers for it, and I've kept going back whenever something matters, a conference, a dinner with "
               "my partner's boss, that sort of thing."],
        "uk": ["Мені треба було щось на весілля брата, і це була паніка.",
               "Коли в мене важлива зустріч, хочеться образу, в якому почуваюся впевнено.",
               _also("сукню на випускний з донькою вибирали саме там", "kids_clothes"),
               "Минулої весни в мене була співбесіда в банку, а вдягти нічого, тож купую нормальний жакет і штани, "
               "і відтоді повертаюся туди щоразу, коли щось важливе: конференція, вечеря з керівником партнера."],
        "ru": ["Мне нужно было что-то на свадьбу брата, и это была паника.",
               "Когда у меня важная встреча, хочется образа, в котором чувствую себя уверенно.",
               _also("платье на выпускной с дочкой выбирали именно там", "kids_clothes"),
               "Прошлой весной у меня было собеседование в банке, а надеть нечего, так что покупаю нормальный "
               "пиджак и брюки, и с тех пор возвращаюсь туда каждый раз, когда что-то важное: конференция, ужин "
               "с начальником партнёра."]},
    "stylish_brand": {
        "en": ["They feel up to date, like they actually know what people wear right now.",
               "Their windows always look like a magazine spread.",
               "the vibe is very cool and clean, kind of scandi minimal",
               "Compared to the other chains in the mall they're the ones that look like there's a real designer "
               "behind them, the colours, the shapes, even the shopping bags look nice, it all feels put together."],
        "uk": ["Вони відчуваються актуальними, ніби справді знають, що люди носять зараз.",
               "Їхні вітрини завжди як розворот у журналі.",
               "вайб дуже класний і чистий, такий скандинавський мінімалізм",
               "Порівняно з іншими мережами в торговому центрі, тільки в них відчувається справжній дизайнер: "
               "кольори, силуети, навіть пакети гарні, все якось зібрано."],
        "ru": ["Они ощущаются актуальными, как будто правда знают, что люди носят сейчас.",
               "Их витрины всегда как разворот в журнале.",
               "вайб очень классный и чистый, такой скандинавский минимализм",
               "По сравнению с другими сетями в торговом центре, только у них чувствуется настоящий дизайнер: "
               "цвета, силуэты, даже пакеты красивые, всё как-то собрано."]},
    "expensive_brand": {
        "en": ["It's the kind of place you go when you want to show you've made it.",
               "In my head they're up there with the posh boutiques, not a high street shop.",
               "its a bit of a flex to carry their bag tbh",
               "I don't mean it's out of my reach, I can afford a piece now and then, but the whole image is "
               "upscale, the lighting, the music, the way people who shop there dress, it's clearly aimed at "
               "people with money."],
        "uk": ["Це таке місце, куди йдуть, коли хочуть показати, що чогось досягли.",
               "У моїй голові вони десь поруч із пафосними бутиками, а не звичайна крамниця.",
               "ходити з їхнім пакетом це трохи понти, чесно",
               "Я не кажу, що мені не по кишені, час від часу можу собі щось узяти, але весь образ у них "
               "дорогий: світло, музика, як вдягнені люди, що там купують. Явно розраховано на людей при грошах."],
        "ru": ["Это такое место, куда идут, когда хотят показать, что чего-то добились.",
               "В моей голове они где-то рядом с пафосными бутиками, а не обычный магазин.",
               "ходить с их пакетом это немного понты, честно",
               "Я не говорю, что мне не по карману, время от времени могу себе что-то взять, но весь образ у них "
               "дорогой: свет, музыка, как одеты люди, которые там покупают. Явно рассчитано на людей при деньгах."]},
    "reliable_brand": {
        "en": ["I know exactly what I'm getting, every time.",
               "In years of buying there nothing has ever gone wrong with an order.",
               "theyre solid, never had a bad experiance",
               "You know some shops are great one season and rubbish the next, well these aren't like that, my size "
               "is my size there, the quality is what it was five years ago, and if there's a problem they fix it, "
               "so I don't really think twice."],
        "uk": ["Я точно знаю, що отримаю, щоразу.",
               "За роки покупок там жодного разу нічого не пішло не так із замовленням.",
               "вони норм, жодного поганого досвіду, чесно",
               "Знаєте, є магазини, які один сезон чудові, а наступний жахливі. Ці не такі: мій розмір там завжди "
               "мій, якість та сама, що п'ять років тому, а якщо проблема, вони її вирішують, тож я навіть не "
               "вагаюся."],
        "ru": ["Я точно знаю, что получу, каждый раз.",
               "За годы покупок там ни разу ничего не пошло не так с заказом.",
               "они норм, ни одного плохого опыта, чесно",
               "Знаете, есть магазины, которые один сезон отличные, а следующий ужасные. Эти не такие: мой размер "
               "там всегда мой, качество то же, что пять лет назад, а если проблема, они её решают, так что я даже "
               "не сомневаюсь."]},
}

# Sentences that borrow a code's words while saying it does not apply (labelled with what they mean).
NEGATED: dict[str, list[Negated]] = {
    "en": [Negated("It's not expensive at all, to be honest, for what you get.", "high_price", ()),
           Negated("I wouldn't say the price bothers me.", "high_price", ()),
           Negated("Delivery has never been slow for me, nothing to complain about there.", "slow_delivery", ()),
           Negated("The sizes are fine, I've never had a problem with the fit.", "fit_problems", ()),
           Negated("I don't really care about trends, never have.", "new_styles", ()),
           Negated("Sales don't interest me, I buy when I need something.", "discount_deals", ()),
           Negated("I don't follow bloggers or any of that Instagram stuff.", "instagram", ()),
           Negated("I'd never buy something just because a friend recommended it.", "friends_recommend", ()),
           Negated("I don't see them as a luxury brand, it's just a normal shop.", "expensive_brand", ()),
           Negated("I've never had to return anything, so I couldn't tell you.", "free_returns", ()),
           Negated("I don't have kids, so children's clothes aren't a thing for me.", "kids_clothes", ()),
           Negated("Not really a gift person, I only buy for myself.", "gift_giving", ()),
           Negated("I wouldn't call them stylish, but they're fine.", "stylish_brand", ())],
    "uk": [Negated("Зовсім не дорого, чесно, як на те, що отримуєш.", "high_price", ()),
           Negated("Не можу сказати, що ціна мене бентежить.", "high_price", ()),
           Negated("Доставка в мене ніколи не затримувалась, тут без претензій.", "slow_delivery", ()),
           Negated("З розмірами все нормально, проблем із посадкою ніколи не було.", "fit_problems", ()),
           Negated("Тренди мене не цікавлять, ніколи не цікавили.", "new_styles", ()),
           Negated("Розпродажі мене не хвилюють, купую, коли треба.", "discount_deals", ()),
           Negated("Я не сиджу в інстаграмі і не стежу за блогерами.", "instagram", ()),
           Negated("Мені б і на думку не спало купувати щось лише тому, що подруга порадила.",
                   "friends_recommend", ()),
           Negated("Не вважаю їх якимось елітним брендом, звичайний магазин.", "expensive_brand", ()),
           Negated("Мені ще жодного разу не доводилося нічого повертати, тож не знаю.", "free_returns", ()),
           Negated("Дітей у мене немає, тож дитячий одяг не про мене.", "kids_clothes", ()),
           Negated("Подарунки не моє, купую тільки собі.", "gift_giving", ()),
           Negated("Стильними їх не назвеш, але нормальні.", "stylish_brand", ())],
    "ru": [Negated("Совсем не дорого, честно, за то, что получаешь.", "high_price", ()),
           Negated("Не могу сказать, что цена меня смущает.", "high_price", ()),
           Negated("Доставка у меня никогда не задерживалась, тут без претензий.", "slow_delivery", ()),
           Negated("С размерами всё нормально, проблем с посадкой никогда не было.", "fit_problems", ()),
           Negated("Тренды меня не интересуют, никогда не интересовали.", "new_styles", ()),
           Negated("Распродажи меня не волнуют, покупаю, когда нужно.", "discount_deals", ()),
           Negated("Я не сижу в инстаграме и не слежу за блогерами.", "instagram", ()),
           Negated("Мне бы и в голову не пришло покупать что-то только потому, что подруга посоветовала.",
                   "friends_recommend", ()),
           Negated("Не считаю их каким-то элитным брендом, обычный магазин.", "expensive_brand", ()),
           Negated("Мне ещё ни разу не приходилось ничего возвращать, так что не знаю.", "free_returns", ()),
           Negated("Детей у меня нет, так что детская одежда не про меня.", "kids_clothes", ()),
           Negated("Подарки не моё, покупаю только себе.", "gift_giving", ()),
           Negated("Стильными их не назовёшь, но нормальные.", "stylish_brand", ())],
}

# Turns, or parts of turns, that carry no code; some borrow a code's words in passing.
CHATTER: dict[str, list[str]] = {
    "en": ["Sorry, my phone keeps buzzing, where was I.",
           "Ha, that's a tricky one.",
           "I don't know, really, I just buy what I need when I need it.",
           "A friend of mine is doing one of these interviews too, funny coincidence.",
           "It was pouring all the way here, what a day.",
           "Let me think... no, nothing comes to mind right now.",
           "I suppose I'm a pretty ordinary shopper.",
           "Can you repeat the question? I got distracted.",
           "Okay, sure, I can talk about that.",
           "Well, it's a long story, but I'll keep it short.",
           "My colleague asked me this morning what I was up to today and I said, an interview about shopping!",
           "Um, yeah, so, basically, it's like, you know."],
    "uk": ["Вибачте, телефон весь час дзижчить, на чому ми зупинилися.",
           "Ха, складне питання.",
           "Не знаю, справді, купую, що треба, коли треба.",
           "Моя подруга теж бере участь у такому інтерв'ю, смішний збіг.",
           "Усю дорогу сюди лило як з відра, ну й день.",
           "Зараз подумаю... ні, нічого не спадає на думку.",
           "Мабуть, я досить звичайний покупець.",
           "Можете повторити питання? Щось я відволікаюся, вибачте.",
           "Ну, короче, я не знаю, щось таке.",
           "Це довга історія, але скажу коротко.",
           "Колега зранку питає, що в мене сьогодні, кажу: інтерв'ю про шопінг!",
           "Е-е, ну, от, загалом, ну ви розумієте."],
    "ru": ["Извините, телефон всё время жужжит, на чём мы остановились.",
           "Ха, сложный вопрос.",
           "Не знаю, правда, покупаю, что нужно, когда нужно.",
           "Моя подруга тоже участвует в таком интервью, смешное совпадение.",
           "Всю дорогу сюда лило как из ведра, ну и денёк.",
           "Сейчас подумаю... нет, ничего не приходит в голову.",
           "Наверное, я довольно обычный покупатель.",
           "Можете повторить вопрос? Отвлеклось внимание, извините.",
           "Ну, короче, я не знаю, как-то так.",
           "Это долгая история, но скажу коротко.",
           "Коллега утром спрашивает, что у меня сегодня, говорю: интервью про шопинг!",
           "Э-э, ну, вот, в общем, ну вы понимаете."],
}


# The everyday way most people say each thing, in the words they would reach for first: without
# these the bank would only hold hard cases, and recall measured on it would be too low to be fair.
EVERYDAY: dict[str, dict[str, list]] = {
    "quality_materials": {
        "en": ["Good quality is the main thing for me, I want clothes that last.",
               "I look at how well it's made, the stitching, the material."],
        "uk": ["Для мене головне якість, хочу, щоб одяг довго носився.",
               "Дивлюся, як пошито, які шви, який матеріал."],
        "ru": ["Для меня главное качество, хочу, чтобы одежда долго носилась.",
               "Смотрю, как сшито, какие швы, какой материал."]},
    "new_styles": {
        "en": ["I like to follow the latest trends and try new things.",
               "I'm always looking for something new and different to wear."],
        "uk": ["Мені подобається стежити за трендами і пробувати нове.",
               "Я постійно шукаю щось нове й незвичне."],
        "ru": ["Мне нравится следить за трендами и пробовать новое.",
               "Я постоянно ищу что-то новое и необычное."]},
    "discount_deals": {
        "en": ["I mostly buy during the sales, when there are good discounts.",
               "I always wait for a discount before I buy anything."],
        "uk": ["Я купую переважно на розпродажах, коли хороші знижки.",
               "Я завжди чекаю знижки, перш ніж щось купити."],
        "ru": ["Я покупаю в основном на распродажах, когда хорошие скидки.",
               "Я всегда жду скидку, прежде чем что-то купить."]},
    "gift_giving": {
        "en": ["I often buy gifts there for my family.",
               "A lot of what I buy is presents for other people."],
        "uk": ["Я часто купую там подарунки рідним.",
               "Багато з того, що я купую, це подарунки для інших."],
        "ru": ["Я часто покупаю там подарки родным.",
               "Многое из того, что я покупаю, это подарки для других."]},
    "kids_clothes": {
        "en": ["I mainly buy clothes for my children.",
               "Most of my shopping is for my kids, they grow out of everything."],
        "uk": ["Я переважно купую одяг дітям.",
               "Більшість покупок для моїх дітей, вони з усього виростають."],
        "ru": ["Я в основном покупаю одежду детям.",
               "Большинство покупок для моих детей, они из всего вырастают."]},
    "client_styling": {
        "en": ["I'm a stylist, so I buy clothes for my clients.",
               "I shop for other people as part of my work."],
        "uk": ["Я стиліст, тож купую одяг для своїх клієнтів.",
               "Я купую для інших людей, це моя робота."],
        "ru": ["Я стилист, так что покупаю одежду для своих клиентов.",
               "Я покупаю для других людей, это моя работа."]},
    "timeless_classics": {
        "en": ["I prefer classic things that never go out of style.",
               "I like simple, classic clothes, nothing flashy."],
        "uk": ["Я віддаю перевагу класиці, яка не виходить з моди.",
               "Мені подобається простий класичний одяг, нічого яскравого."],
        "ru": ["Я предпочитаю классику, которая не выходит из моды.",
               "Мне нравится простая классическая одежда, ничего яркого."]},
    "high_price": {
        "en": ["It's just too expensive for me.",
               "The prices are too high, I can't afford much there."],
        "uk": ["Для мене там просто занадто дорого.",
               "Ціни зависокі, я мало що можу собі там дозволити."],
        "ru": ["Для меня там просто слишком дорого.",
               "Цены слишком высокие, я мало что могу себе там позволить."]},
    "fit_problems": {
        "en": ["Their sizes don't fit me, things are always too tight or too loose.",
               "The fit is the problem, nothing sits right on me."],
        "uk": ["Їхні розміри мені не підходять, речі завжди то тісні, то завеликі.",
               "Проблема в посадці, на мені нічого добре не сидить."],
        "ru": ["Их размеры мне не подходят, вещи всегда то тесные, то большие.",
               "Проблема в посадке, на мне ничего хорошо не сидит."]},
    "limited_range": {
        "en": ["There isn't much choice, and my size is often sold out.",
               "The range is small, I rarely find what I'm looking for."],
        "uk": ["Вибір невеликий, і мого розміру часто немає.",
               "Асортимент маленький, рідко знаходжу те, що шукаю."],
        "ru": ["Выбор небольшой, и моего размера часто нет.",
               "Ассортимент маленький, редко нахожу то, что ищу."]},
    "slow_delivery": {
        "en": ["Delivery takes too long, I waited almost two weeks.",
               "The delivery was really slow last time."],
        "uk": ["Доставка надто довга, я чекаю майже два тижні.",
               "Минулого разу доставка була дуже повільна."],
        "ru": ["Доставка слишком долгая, я жду почти две недели.",
               "В прошлый раз доставка была очень медленная."]},
    "unfamiliar_brand": {
        "en": ["I don't really know this brand.",
               "I've hardly heard of them, so I'm not sure about them."],
        "uk": ["Я цей бренд майже не знаю.",
               "Про них я майже нічого не знаю, тож сумніваюся."],
        "ru": ["Я этот бренд почти не знаю.",
               "Про них я почти ничего не знаю, так что сомневаюсь."]},
    "natural_fabrics_certified": {
        "en": ["I trust them because the fabrics are natural and certified.",
               "The composition on the label tells me it's real cotton or wool."],
        "uk": ["Я їм довіряю, бо тканини натуральні й сертифіковані.",
               "Склад на етикетці показує, що це справжня бавовна чи вовна."],
        "ru": ["Я им доверяю, потому что ткани натуральные и сертифицированные.",
               "Состав на этикетке показывает, что это настоящий хлопок или шерсть."]},
    "free_returns": {
        "en": ["Returns are free and easy, so buying feels safe.",
               "I know I can return it and get my money back."],
        "uk": ["Повернення безкоштовне і просте, тому купувати не страшно.",
               "Я знаю, що можу повернути річ і отримати гроші назад."],
        "ru": ["Возврат бесплатный и простой, поэтому покупать не страшно.",
               "Я знаю, что могу вернуть вещь и получить деньги обратно."]},
    "expert_advice": {
        "en": ["The consultants give really good advice on what to wear.",
               "The staff know how to put an outfit together, I trust them."],
        "uk": ["Консультанти дають дуже слушні поради, що вдягти.",
               "Персонал уміє скласти образ, я їм довіряю."],
        "ru": ["Консультанты дают очень хорошие советы, что надеть.",
               "Персонал умеет составить образ, я им доверяю."]},
    "instagram": {
        "en": ["I usually find new things on Instagram.",
               "I see their clothes on social media and then go and buy them."],
        "uk": ["Нові речі я зазвичай знаходжу в Instagram.",
               "Я бачу їхній одяг у соцмережах, а потім іду купувати."],
        "ru": ["Новые вещи я обычно нахожу в Instagram.",
               "Я вижу их одежду в соцсетях, а потом иду покупать."]},
    "store_visit": {
        "en": ["I prefer to go to the shop and see things with my own eyes.",
               "I usually buy in the store at the shopping centre."],
        "uk": ["Я люблю піти в магазин і побачити все на власні очі.",
               "Я зазвичай купую в магазині в торговому центрі."],
        "ru": ["Я предпочитаю пойти в магазин и увидеть всё своими глазами.",
               "Я обычно покупаю в магазине в торговом центре."]},
    "online_shop": {
        "en": ["I buy mostly online, on their website.",
               "I order through the app, it's easier."],
        "uk": ["Я купую здебільшого онлайн, на їхньому сайті.",
               "Я замовляю через застосунок, так простіше."],
        "ru": ["Я покупаю в основном онлайн, на их сайте.",
               "Я заказываю через приложение, так проще."]},
    "friends_recommend": {
        "en": ["A friend recommended them to me.",
               "I go where my friends tell me to, I trust their opinion."],
        "uk": ["Мені їх порадила подруга.",
               "Я йду туди, куди радять друзі, довіряю їхній думці."],
        "ru": ["Мне их посоветовала подруга.",
               "Я иду туда, куда советуют друзья, доверяю их мнению."]},
    "fitting_help": {
        "en": ["I like it when they help in the fitting room and bring other sizes.",
               "Good help while I'm trying things on is what matters most."],
        "uk": ["Мені подобається, коли допомагають у примірочній і приносять інші розміри.",
               "Найважливіше, щоб допомогли, поки я міряю речі."],
        "ru": ["Мне нравится, когда помогают в примерочной и приносят другие размеры.",
               "Самое важное, чтобы помогли, пока я меряю вещи."]},
    "gift_wrapping": {
        "en": ["Gift wrapping is important to me, they do it nicely.",
               "I like that they sell gift cards and wrap everything."],
        "uk": ["Для мене важливе подарункове пакування, вони гарно роблять.",
               "Мені подобається, що в них є подарункові сертифікати і все гарно пакують."],
        "ru": ["Для меня важна подарочная упаковка, они красиво делают.",
               "Мне нравится, что у них есть подарочные карты и всё красиво упаковывают."]},
    "fast_delivery": {
        "en": ["Fast delivery decides it for me, I want it the next day.",
               "They deliver quickly, sometimes the same day."],
        "uk": ["Для мене вирішує швидка доставка, хочу отримати наступного дня.",
               "Вони швидко доставляють, іноді того ж дня."],
        "ru": ["Для меня решает быстрая доставка, хочу получить на следующий день.",
               "Они быстро доставляют, иногда в тот же день."]},
    "tailoring": {
        "en": ["They can shorten trousers or take things in, which is great.",
               "The alterations service is why I buy there."],
        "uk": ["Вони можуть укоротити штани чи ушити річ, це чудово.",
               "Через послугу підгонки одягу я там і купую."],
        "ru": ["Они могут укоротить брюки или ушить вещь, это здорово.",
               "Из-за услуги подгонки одежды я там и покупаю."]},
    "season_change": {
        "en": ["I shop when the season changes, in spring and autumn.",
               "When it gets cold I need new warm clothes."],
        "uk": ["Я купую, коли змінюється сезон, навесні й восени.",
               "Коли холоднішає, мені потрібні нові теплі речі."],
        "ru": ["Я покупаю, когда меняется сезон, весной и осенью.",
               "Когда холодает, мне нужны новые тёплые вещи."]},
    "holidays": {
        "en": ["I buy the most before the holidays, New Year and Christmas.",
               "Before a birthday or a holiday I always buy something new."],
        "uk": ["Найбільше я купую перед святами, Новим роком і Різдвом.",
               "Перед днем народження чи святом я завжди купую щось нове."],
        "ru": ["Больше всего я покупаю перед праздниками, Новым годом и Рождеством.",
               "Перед днём рождения или праздником я всегда покупаю что-то новое."]},
    "special_event": {
        "en": ["I buy there when I need an outfit for a wedding or a big event.",
               "For a special occasion like a graduation I go there."],
        "uk": ["Я купую там, коли потрібен образ на весілля чи важливу подію.",
               "На особливу нагоду, як-от випускний, іду туди."],
        "ru": ["Я покупаю там, когда нужен образ на свадьбу или важное событие.",
               "На особый случай, например выпускной, иду туда."]},
    "stylish_brand": {
        "en": ["It's a stylish, modern brand.",
               "I think of them as fashionable and up to date."],
        "uk": ["Це стильний, сучасний бренд.",
               "Для мене вони модні й актуальні."],
        "ru": ["Это стильный, современный бренд.",
               "Для меня они модные и актуальные."]},
    "expensive_brand": {
        "en": ["I see it as a premium brand, quite luxurious.",
               "It feels like an expensive, high-class brand."],
        "uk": ["Я сприймаю його як преміальний бренд, досить розкішний.",
               "Він відчувається як дорогий бренд високого класу."],
        "ru": ["Я воспринимаю его как премиальный бренд, довольно роскошный.",
               "Он ощущается как дорогой бренд высокого класса."]},
    "reliable_brand": {
        "en": ["It's a reliable brand, they never let me down.",
               "I can count on them, the quality is always the same."],
        "uk": ["Це надійний бренд, вони мене ніколи не підводили.",
               "На них можна покластися, якість завжди однакова."],
        "ru": ["Это надёжный бренд, они меня никогда не подводили.",
               "На них можно положиться, качество всегда одинаковое."]},
}


def phrases(code: str, language: str) -> list[Phrase]:
    """The phrases filed under `code` in `language`, each with every code it expresses."""
    out = []
    for entry in EVERYDAY[code][language] + THEMES[code][language]:
        text, more = entry if isinstance(entry, tuple) else (entry, ())
        out.append(Phrase(text, (code, *more)))
    return out


def every_phrase() -> list[tuple[str, Phrase]]:
    """(language, phrase) for every coded phrase, negated sentence and code-free sentence of the bank."""
    out = [(lang, p) for code in THEMES for lang in THEMES[code] for p in phrases(code, lang)]
    out += [(lang, Phrase(n.text, n.codes)) for lang, items in NEGATED.items() for n in items]
    out += [(lang, Phrase(text, ())) for lang, items in CHATTER.items() for text in items]
    return out
