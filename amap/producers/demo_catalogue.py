"""Demo catalogues and weekly offers for the eight demo farms.

Each farm is matched by its name (see `amap.producers.demo.FARMS`), falling
back on its slug. Idempotent: products are found by (farm, name) and offers by
(product, cycle); running it twice changes nothing.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from amap.distribution.models import OrderCycle

from .models import Offer, Partnership, Producer, Product

C = Product.Category
U = Product.Unit
REDUCED = Decimal("5.50")
STANDARD = Decimal("20.00")

# (name, category, unit, price, weight step, usual quantity per week)
Row = tuple[str, str, str, str, str | None, str | None]

GARDENER: list[Row] = [
    ("Carottes", C.VEGETABLES, U.KG, "2.40", "0.5", "30"),
    ("Poireaux", C.VEGETABLES, U.KG, "3.20", "0.5", "25"),
    ("Pommes de terre Charlotte", C.VEGETABLES, U.KG, "2.20", "1", "40"),
    ("Pommes de terre Bintje", C.VEGETABLES, U.KG, "1.80", "1", "30"),
    ("Oignons jaunes", C.VEGETABLES, U.KG, "2.60", "0.5", "15"),
    ("Échalotes", C.VEGETABLES, U.KG, "6.50", "0.25", "5"),
    ("Ail violet", C.VEGETABLES, U.PIECE, "1.20", None, "20"),
    ("Courge butternut", C.VEGETABLES, U.PIECE, "2.80", None, "20"),
    ("Potimarron", C.VEGETABLES, U.PIECE, "3.00", None, "20"),
    ("Mâche", C.VEGETABLES, U.KG, "14.00", "0.25", "4"),
    ("Épinards", C.VEGETABLES, U.KG, "6.00", "0.25", "6"),
    ("Blettes", C.VEGETABLES, U.BUNCH, "2.50", None, "12"),
    ("Radis", C.VEGETABLES, U.BUNCH, "1.60", None, "20"),
    ("Navets nouveaux", C.VEGETABLES, U.BUNCH, "2.20", None, "12"),
    ("Betteraves rouges", C.VEGETABLES, U.KG, "2.80", "0.5", "10"),
    ("Céleri-rave", C.VEGETABLES, U.PIECE, "2.50", None, "10"),
    ("Chou vert frisé", C.VEGETABLES, U.PIECE, "2.50", None, "12"),
    ("Chou-fleur", C.VEGETABLES, U.PIECE, "3.00", None, "10"),
    ("Brocolis", C.VEGETABLES, U.KG, "5.00", "0.5", "8"),
    ("Salade batavia", C.VEGETABLES, U.PIECE, "1.30", None, "30"),
    ("Salade feuille de chêne", C.VEGETABLES, U.PIECE, "1.30", None, "25"),
    ("Tomates anciennes", C.VEGETABLES, U.KG, "5.50", "0.5", "20"),
    ("Tomates cerises", C.VEGETABLES, U.KG, "9.00", "0.25", "6"),
    ("Courgettes", C.VEGETABLES, U.KG, "3.00", "0.5", "20"),
    ("Concombres", C.VEGETABLES, U.PIECE, "1.50", None, "15"),
    ("Haricots verts", C.VEGETABLES, U.KG, "8.00", "0.25", "6"),
    ("Persil plat", C.VEGETABLES, U.BUNCH, "1.20", None, "15"),
    ("Ciboulette", C.VEGETABLES, U.BUNCH, "1.20", None, None),
    ("Panier de légumes", C.BASKET, U.BASKET, "15.00", None, "25"),
    ("Petit panier de légumes", C.BASKET, U.BASKET, "10.00", None, "20"),
]

BAKER: list[Row] = [
    ("Pain de campagne 1 kg", C.BREAD, U.PIECE, "5.20", None, "30"),
    ("Pain de campagne 500 g", C.BREAD, U.PIECE, "2.80", None, "30"),
    ("Miche de blé ancien (à la coupe)", C.BREAD, U.KG, "6.80", "0.5", "15"),
    ("Baguette tradition", C.BREAD, U.PIECE, "1.40", None, "40"),
    ("Pain complet", C.BREAD, U.PIECE, "4.80", None, "15"),
    ("Pain aux graines", C.BREAD, U.PIECE, "5.60", None, "15"),
    ("Pain de seigle", C.BREAD, U.PIECE, "5.40", None, "10"),
    ("Pain petit épeautre", C.BREAD, U.PIECE, "6.50", None, "10"),
    ("Pain aux noix", C.BREAD, U.PIECE, "6.20", None, "10"),
    ("Pain aux raisins et noisettes", C.BREAD, U.PIECE, "6.50", None, "8"),
    ("Pain sans sel", C.BREAD, U.PIECE, "4.80", None, None),
    ("Pain de mie", C.BREAD, U.PIECE, "4.50", None, "8"),
    ("Brioche", C.BREAD, U.PIECE, "7.50", None, "12"),
    ("Brioche au sucre perlé", C.BREAD, U.PIECE, "7.80", None, "8"),
    ("Fouace nantaise", C.BREAD, U.PIECE, "6.00", None, "10"),
    ("Gâteau nantais", C.BREAD, U.PIECE, "12.00", None, "5"),
    ("Sablés au beurre (sachet)", C.GROCERY, U.PIECE, "4.50", None, "10"),
    ("Cookies aux pépites de chocolat", C.GROCERY, U.PIECE, "4.80", None, "10"),
    ("Farine de blé T80 1 kg", C.GROCERY, U.PIECE, "3.20", None, "10"),
    ("Farine de petit épeautre 1 kg", C.GROCERY, U.PIECE, "5.50", None, "6"),
    ("Farine de seigle 1 kg", C.GROCERY, U.PIECE, "3.50", None, None),
    ("Flocons d'avoine 500 g", C.GROCERY, U.PIECE, "3.00", None, None),
]

GOAT_CHEESE: list[Row] = [
    ("Crottin frais", C.CHEESE, U.PIECE, "2.30", None, "40"),
    ("Crottin demi-sec", C.CHEESE, U.PIECE, "2.50", None, "30"),
    ("Crottin sec", C.CHEESE, U.PIECE, "2.60", None, "20"),
    ("Bûche cendrée", C.CHEESE, U.PIECE, "7.50", None, "12"),
    ("Bûche nature", C.CHEESE, U.PIECE, "7.00", None, "12"),
    ("Pyramide cendrée", C.CHEESE, U.PIECE, "6.80", None, "8"),
    ("Palet aux herbes", C.CHEESE, U.PIECE, "2.80", None, "15"),
    ("Palet au poivre", C.CHEESE, U.PIECE, "2.80", None, "15"),
    ("Tomme de chèvre", C.CHEESE, U.KG, "26.00", "0.25", "4"),
    ("Tomme de chèvre affinée 6 mois", C.CHEESE, U.KG, "30.00", "0.25", "2"),
    ("Faisselle", C.CHEESE, U.JAR, "2.80", None, "20"),
    ("Fromage blanc de chèvre", C.CHEESE, U.JAR, "3.50", None, "15"),
    ("Yaourt nature", C.CHEESE, U.JAR, "1.10", None, "48"),
    ("Yaourt à la vanille", C.CHEESE, U.JAR, "1.30", None, "36"),
    ("Yaourt aux fruits rouges", C.CHEESE, U.JAR, "1.30", None, "36"),
    ("Lait de chèvre cru", C.CHEESE, U.LITRE, "2.20", None, "20"),
    ("Crème dessert au chocolat", C.CHEESE, U.JAR, "1.60", None, "24"),
    ("Confiture de lait de chèvre", C.CHEESE, U.JAR, "6.50", None, None),
    ("Caillé de chèvre", C.CHEESE, U.JAR, "2.50", None, None),
    ("Plateau découverte (5 fromages)", C.BASKET, U.BASKET, "14.00", None, "6"),
]

BEEKEEPER: list[Row] = [
    ("Miel de printemps 500 g", C.HONEY, U.JAR, "8.50", None, "20"),
    ("Miel de printemps 1 kg", C.HONEY, U.JAR, "15.00", None, "10"),
    ("Miel de châtaignier 500 g", C.HONEY, U.JAR, "9.00", None, "20"),
    ("Miel de châtaignier 1 kg", C.HONEY, U.JAR, "16.00", None, "10"),
    ("Miel de bourdaine 500 g", C.HONEY, U.JAR, "9.50", None, "12"),
    ("Miel de tilleul 500 g", C.HONEY, U.JAR, "9.50", None, "10"),
    ("Miel de ronce 500 g", C.HONEY, U.JAR, "9.00", None, "10"),
    ("Miel d'été crémeux 250 g", C.HONEY, U.JAR, "5.00", None, "15"),
    ("Miel en rayon", C.HONEY, U.PIECE, "12.00", None, "4"),
    ("Pollen frais 250 g", C.HONEY, U.JAR, "12.00", None, "6"),
    ("Pollen sec 250 g", C.HONEY, U.JAR, "10.00", None, "6"),
    ("Propolis en teinture 15 ml", C.HONEY, U.BOTTLE, "9.50", None, "5"),
    ("Propolis brute 20 g", C.HONEY, U.PIECE, "7.00", None, None),
    ("Gelée royale 10 g", C.HONEY, U.JAR, "18.00", None, None),
    ("Pain d'épices au miel", C.GROCERY, U.PIECE, "7.50", None, "12"),
    ("Nonnettes au miel (sachet de 6)", C.GROCERY, U.PIECE, "5.50", None, "10"),
    ("Bonbons au miel 100 g", C.GROCERY, U.PIECE, "3.50", None, "10"),
    ("Vinaigre de miel 50 cl", C.GROCERY, U.BOTTLE, "7.00", None, None),
    ("Bougie en cire d'abeille", C.OTHER, U.PIECE, "6.00", None, None),
    ("Emballage à la cire d'abeille", C.OTHER, U.PIECE, "8.00", None, None),
    ("Hydromel 75 cl", C.DRINKS, U.BOTTLE, "14.00", None, None),
]

ORCHARD: list[Row] = [
    ("Pommes Reinette grise du Canada", C.FRUIT, U.KG, "2.90", "1", "30"),
    ("Pommes Reine des reinettes", C.FRUIT, U.KG, "2.80", "1", "25"),
    ("Pommes Belle de Boskoop", C.FRUIT, U.KG, "2.60", "1", "25"),
    ("Pommes Elstar", C.FRUIT, U.KG, "2.70", "1", "25"),
    ("Pommes Melrose", C.FRUIT, U.KG, "2.80", "1", "20"),
    ("Pommes Patte de loup", C.FRUIT, U.KG, "3.20", "1", "10"),
    ("Pommes à cuire", C.FRUIT, U.KG, "2.00", "1", "15"),
    ("Poires Conférence", C.FRUIT, U.KG, "3.20", "1", "20"),
    ("Poires Comice", C.FRUIT, U.KG, "3.60", "1", "15"),
    ("Poires Williams", C.FRUIT, U.KG, "3.40", "1", "15"),
    ("Poires Louise-Bonne", C.FRUIT, U.KG, "3.40", "1", "10"),
    ("Coings", C.FRUIT, U.KG, "3.00", "1", None),
    ("Prunes Reine-Claude", C.FRUIT, U.KG, "4.50", "0.5", None),
    ("Cerises Burlat", C.FRUIT, U.KG, "8.00", "0.5", None),
    ("Colis de pommes 5 kg", C.BASKET, U.BASKET, "12.00", None, "10"),
    ("Jus de pomme 1 L", C.DRINKS, U.BOTTLE, "3.20", None, "40"),
    ("Jus de pomme 25 cl", C.DRINKS, U.BOTTLE, "1.50", None, "24"),
    ("Jus de pomme-poire 1 L", C.DRINKS, U.BOTTLE, "3.50", None, "24"),
    ("Pétillant de pomme sans alcool", C.DRINKS, U.BOTTLE, "4.50", None, "12"),
    ("Cidre brut", C.DRINKS, U.BOTTLE, "5.20", None, "24"),
    ("Cidre doux", C.DRINKS, U.BOTTLE, "5.00", None, "24"),
    ("Poiré", C.DRINKS, U.BOTTLE, "6.00", None, "12"),
    ("Vinaigre de cidre 75 cl", C.GROCERY, U.BOTTLE, "4.50", None, None),
    ("Compote de pommes 650 g", C.GROCERY, U.JAR, "4.80", None, "12"),
    ("Gelée de coing", C.GROCERY, U.JAR, "5.00", None, None),
    ("Pommes séchées 100 g", C.GROCERY, U.PIECE, "4.50", None, None),
]

POULTRY: list[Row] = [
    ("Poulet fermier entier", C.POULTRY, U.KG, "11.50", None, "30"),
    ("Poulet fermier découpé", C.POULTRY, U.KG, "12.50", None, "10"),
    ("Filets de poulet", C.POULTRY, U.KG, "24.00", "0.25", "6"),
    ("Cuisses de poulet", C.POULTRY, U.KG, "13.00", "0.5", "8"),
    ("Ailes de poulet", C.POULTRY, U.KG, "8.00", "0.5", None),
    ("Foies de volaille", C.POULTRY, U.KG, "9.00", "0.25", None),
    ("Pintade fermière", C.POULTRY, U.KG, "14.50", None, "8"),
    ("Coquelet", C.POULTRY, U.PIECE, "9.50", None, "6"),
    ("Poule à bouillir", C.POULTRY, U.PIECE, "12.00", None, "4"),
    ("Canette", C.POULTRY, U.KG, "14.00", None, None),
    ("Chapon (Noël)", C.POULTRY, U.KG, "19.50", None, None),
    ("Œufs plein air", C.EGGS, U.DOZEN, "4.20", None, "60"),
    ("Œufs plein air (demi-douzaine)", C.EGGS, U.PIECE, "2.20", None, "30"),
    ("Œufs extra-frais (plateau de 30)", C.EGGS, U.PIECE, "10.00", None, "6"),
    ("Œufs de cane (boîte de 6)", C.EGGS, U.PIECE, "3.60", None, None),
    ("Rillettes de poulet 180 g", C.GROCERY, U.JAR, "6.00", None, "10"),
    ("Terrine de volaille 180 g", C.GROCERY, U.JAR, "6.00", None, "10"),
    ("Bouillon de volaille 1 L", C.GROCERY, U.JAR, "5.00", None, None),
    ("Colis volaille du mois", C.BASKET, U.BASKET, "45.00", None, "5"),
    ("Panier œufs et volaille", C.BASKET, U.BASKET, "25.00", None, "5"),
]

MEAT: list[Row] = [
    ("Colis de bœuf 5 kg", C.MEAT, U.BASKET, "85.00", None, "6"),
    ("Colis de bœuf 10 kg", C.MEAT, U.BASKET, "160.00", None, "3"),
    ("Colis de veau 5 kg", C.MEAT, U.BASKET, "95.00", None, "3"),
    ("Colis de porc 5 kg", C.MEAT, U.BASKET, "65.00", None, "4"),
    ("Steak haché", C.MEAT, U.KG, "17.00", "0.5", "10"),
    ("Entrecôte", C.MEAT, U.KG, "32.00", "0.25", "4"),
    ("Faux-filet", C.MEAT, U.KG, "30.00", "0.25", "4"),
    ("Bavette", C.MEAT, U.KG, "26.00", "0.25", "4"),
    ("Bourguignon", C.MEAT, U.KG, "16.00", "0.5", "8"),
    ("Pot-au-feu", C.MEAT, U.KG, "13.00", "0.5", "6"),
    ("Rôti de bœuf", C.MEAT, U.KG, "28.00", "0.5", "4"),
    ("Rôti de veau", C.MEAT, U.KG, "29.00", "0.5", "3"),
    ("Blanquette de veau", C.MEAT, U.KG, "19.00", "0.5", "4"),
    ("Escalopes de veau", C.MEAT, U.KG, "34.00", "0.25", "3"),
    ("Rôti de porc", C.MEAT, U.KG, "16.50", "0.5", "4"),
    ("Côtes de porc", C.MEAT, U.KG, "14.00", "0.5", "6"),
    ("Poitrine de porc", C.MEAT, U.KG, "12.00", "0.5", None),
    ("Saucisses de Toulouse", C.MEAT, U.KG, "15.00", "0.5", "8"),
    ("Chipolatas", C.MEAT, U.KG, "15.00", "0.5", "8"),
    ("Merguez de bœuf", C.MEAT, U.KG, "17.00", "0.5", None),
    ("Jambon blanc (4 tranches)", C.MEAT, U.PIECE, "7.50", None, "10"),
    ("Pâté de campagne 200 g", C.GROCERY, U.JAR, "5.50", None, "10"),
    ("Rillettes de porc 200 g", C.GROCERY, U.JAR, "5.50", None, "10"),
    ("Rillauds", C.MEAT, U.KG, "22.00", "0.25", None),
]

MUSHROOMS: list[Row] = [
    ("Pleurotes", C.MUSHROOMS, U.KG, "14.00", "0.25", "8"),
    ("Pleurotes jaunes", C.MUSHROOMS, U.KG, "18.00", "0.25", "3"),
    ("Pleurotes roses", C.MUSHROOMS, U.KG, "18.00", "0.25", "3"),
    ("Shiitakés", C.MUSHROOMS, U.KG, "22.00", "0.25", "6"),
    ("Champignons de Paris blancs", C.MUSHROOMS, U.KG, "8.50", "0.25", "12"),
    ("Champignons de Paris bruns", C.MUSHROOMS, U.KG, "9.50", "0.25", "10"),
    ("Pieds bleus", C.MUSHROOMS, U.KG, "24.00", "0.25", None),
    ("Pholiotes du peuplier", C.MUSHROOMS, U.KG, "28.00", "0.25", None),
    ("Hérisson (Hydne)", C.MUSHROOMS, U.KG, "32.00", "0.25", None),
    ("Barquette de mélange forestier 250 g", C.MUSHROOMS, U.PIECE, "6.50", None, "10"),
    ("Shiitakés séchés 30 g", C.GROCERY, U.PIECE, "6.00", None, "6"),
    ("Pleurotes séchées 30 g", C.GROCERY, U.PIECE, "5.50", None, "6"),
    ("Poudre de champignons 50 g", C.GROCERY, U.JAR, "7.00", None, None),
    ("Tapenade de champignons 90 g", C.GROCERY, U.JAR, "5.00", None, "8"),
    ("Velouté de champignons 50 cl", C.GROCERY, U.BOTTLE, "5.50", None, "8"),
    ("Champignons marinés 200 g", C.GROCERY, U.JAR, "6.50", None, None),
    ("Kit de culture de pleurotes", C.OTHER, U.PIECE, "18.00", None, None),
    ("Kit de culture de shiitakés", C.OTHER, U.PIECE, "22.00", None, None),
    ("Panier champignons de la semaine", C.BASKET, U.BASKET, "12.00", None, "6"),
    ("Terreau de champignonnière 20 L", C.OTHER, U.PIECE, "4.00", None, None),
]

CATALOGUES: dict[str, list[Row]] = {
    "Maraîchage de la Sèvre": GARDENER,
    "Fournil du Loroux": BAKER,
    "Chèvrerie des Moulins": GOAT_CHEESE,
    "Ruchers de l'Erdre": BEEKEEPER,
    "Vergers de la Divatte": ORCHARD,
    "Volailles du Bois-Joli": POULTRY,
    "Ferme de la Bouvre": MEAT,
    "Champignonnière des Coteaux": MUSHROOMS,
}
# Alcoholic drinks are taxed at the standard rate.
STANDARD_RATE = {"Cidre brut", "Cidre doux", "Poiré", "Hydromel 75 cl"}
# Sold with no limit: the farm always has enough.
UNLIMITED = {
    "Jus de pomme 1 L",
    "Miel de printemps 500 g",
    "Pain de campagne 1 kg",
    "Yaourt nature",
    "Œufs plein air",
    "Champignons de Paris blancs",
}

_BY_SLUG = {slugify(name): rows for name, rows in CATALOGUES.items()}


def catalogue_for(producer: Producer) -> list[Row]:
    """The demo catalogue of a farm, matched on its name then its slug."""
    if producer.name in CATALOGUES:
        return CATALOGUES[producer.name]
    slug = slugify(producer.name)
    if slug in _BY_SLUG:
        return _BY_SLUG[slug]
    for key, rows in _BY_SLUG.items():
        if producer.slug.startswith(key) or key.startswith(producer.slug):
            return rows
    return []


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@transaction.atomic
def build_catalogues(producers: list[Producer]) -> None:
    """Give each demo farm its catalogue; products already there are kept."""
    existing = set(
        Product.objects.filter(producer__in=producers).values_list(
            "producer_id", "name"
        )
    )
    new = []
    for producer in producers:
        for name, category, unit, price, step, usual in catalogue_for(producer):
            if (producer.pk, name) in existing:
                continue
            new.append(
                Product(
                    producer=producer,
                    name=name,
                    category=category,
                    unit=unit,
                    price=Decimal(price),
                    vat_rate=STANDARD if name in STANDARD_RATE else REDUCED,
                    weight_step=_decimal(step) if unit == U.KG else None,
                    usual_quantity=_decimal(usual),
                )
            )
    Product.objects.bulk_create(new)


@transaction.atomic
def build_offers(producers: list[Producer], cycles_ahead: int = 4) -> None:
    """Offer each farm's products on sale, at their usual quantities (some
    unlimited), in the next `cycles_ahead` open or upcoming cycles of each
    collective it supplies. Offers already there are kept."""
    now = timezone.now()
    supplied: dict[int, list[int]] = {}
    for producer_id, collective_id in (
        Partnership.objects.current()
        .filter(producer__in=producers)
        .values_list("producer_id", "collective_id")
    ):
        supplied.setdefault(collective_id, []).append(producer_id)
    cycles_by_collective: dict[int, list[OrderCycle]] = {}
    for cycle in OrderCycle.objects.filter(
        collective_id__in=list(supplied), closed_at__isnull=True, closes_at__gt=now
    ).order_by("closes_at", "pk"):
        cycles = cycles_by_collective.setdefault(cycle.collective_id, [])
        if len(cycles) < cycles_ahead:
            cycles.append(cycle)
    products_by_producer: dict[int, list[Product]] = {}
    for product in Product.objects.active().filter(producer__in=producers):
        products_by_producer.setdefault(product.producer_id, []).append(product)
    cycle_ids = [c.pk for cycles in cycles_by_collective.values() for c in cycles]
    existing = set(
        Offer.objects.filter(
            cycle__in=cycle_ids, product__producer__in=producers
        ).values_list("product_id", "cycle_id")
    )
    new = []
    for collective_id, producer_ids in supplied.items():
        for cycle in cycles_by_collective.get(collective_id, []):
            for producer_id in producer_ids:
                for product in products_by_producer.get(producer_id, []):
                    if product.usual_quantity is None and product.name not in UNLIMITED:
                        continue
                    if (product.pk, cycle.pk) in existing:
                        continue
                    new.append(
                        Offer(
                            product=product,
                            cycle=cycle,
                            quantity_available=None
                            if product.name in UNLIMITED
                            else product.usual_quantity,
                            price=product.price,
                        )
                    )
    Offer.objects.bulk_create(new)
