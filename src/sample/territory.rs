//! The territory the sample is drawn on: the 18 current regions with their share of the
//! 440 missions locales, the departments with their weight, density and towns, how a number
//! of structures is spread over them, and how structures are coded and named.
//!
//! Everything here is fixed data and exact arithmetic; the only randomness (which code
//! numbers a department uses, the naming style) comes in as [`Draws`].

use super::draws::Draws;
use crate::fr;

/// A current region: name, number of missions locales out of 440, and the typical youth
/// unemployment rate around which its structures are drawn.
pub(super) struct Region {
    pub name: &'static str,
    pub count_440: usize,
    pub unemployment: f64,
    pub overseas: bool,
}

/// A department: INSEE code, region (index into [`REGIONS`]), weight (population in
/// hundreds of thousands, tuned so the allocation looks like the real network), typical
/// density (inhabitants per km²) and towns hosting a mission locale or an antenna.
pub(super) struct Department {
    pub code: &'static str,
    pub region: usize,
    pub weight: f64,
    pub density: f64,
    pub towns: &'static [&'static str],
}

const ARA: usize = 0;
const BFC: usize = 1;
const BRE: usize = 2;
const CVL: usize = 3;
const COR: usize = 4;
const GES: usize = 5;
const HDF: usize = 6;
const IDF: usize = 7;
const NOR: usize = 8;
const NAQ: usize = 9;
const OCC: usize = 10;
const PDL: usize = 11;
const PAC: usize = 12;
const GUA: usize = 13;
const MTQ: usize = 14;
const GUF: usize = 15;
const REU: usize = 16;
const MAY: usize = 17;

/// Region `index` of [`fr::REGIONS`] (the template's drop-down holds the same names).
const fn region(index: usize, count_440: usize, unemployment: f64) -> Region {
    Region {
        name: fr::REGIONS[index],
        count_440,
        unemployment,
        overseas: false,
    }
}

const fn overseas(index: usize, count_440: usize) -> Region {
    Region {
        name: fr::REGIONS[index],
        count_440,
        unemployment: 0.37,
        overseas: true,
    }
}

/// The 18 regions since 2016, in the order of [`fr::REGIONS`]; the counts add up to 440.
const REGIONS: [Region; 18] = [
    region(0, 48, 0.215),
    region(1, 25, 0.245),
    region(2, 17, 0.21),
    region(3, 20, 0.25),
    region(4, 2, 0.26),
    region(5, 40, 0.26),
    region(6, 44, 0.30),
    region(7, 74, 0.235),
    region(8, 24, 0.26),
    region(9, 46, 0.245),
    region(10, 42, 0.29),
    region(11, 17, 0.205),
    region(12, 30, 0.28),
    overseas(13, 3),
    overseas(14, 2),
    overseas(15, 1),
    overseas(16, 4),
    overseas(17, 1),
];

const fn dep(
    code: &'static str,
    region: usize,
    weight: f64,
    density: f64,
    towns: &'static [&'static str],
) -> Department {
    Department {
        code,
        region,
        weight,
        density,
        towns,
    }
}

/// Departments in INSEE order (which is also the order of the codes as text).
#[rustfmt::skip]
pub(super) const DEPARTMENTS: &[Department] = &[
    dep("01", ARA, 6.5, 110.0, &["Bourg-en-Bresse", "Oyonnax", "Ambérieu-en-Bugey", "Bellegarde-sur-Valserine", "Gex"]),
    dep("02", HDF, 5.3, 70.0, &["Saint-Quentin", "Laon", "Soissons", "Château-Thierry", "Hirson"]),
    dep("03", ARA, 3.4, 46.0, &["Moulins", "Montluçon", "Vichy", "Cusset", "Yzeure"]),
    dep("04", PAC, 1.6, 24.0, &["Digne-les-Bains", "Manosque", "Sisteron", "Forcalquier", "Barcelonnette"]),
    dep("05", PAC, 1.4, 25.0, &["Gap", "Briançon", "Embrun", "Laragne-Montéglin", "Veynes"]),
    dep("06", PAC, 10.9, 250.0, &["Nice", "Cannes", "Antibes", "Grasse", "Menton"]),
    dep("07", ARA, 3.3, 59.0, &["Privas", "Annonay", "Aubenas", "Tournon-sur-Rhône", "Le Teil"]),
    dep("08", GES, 2.7, 52.0, &["Charleville-Mézières", "Sedan", "Rethel", "Givet", "Revin"]),
    dep("09", OCC, 1.5, 31.0, &["Foix", "Pamiers", "Saint-Girons", "Lavelanet", "Tarascon-sur-Ariège"]),
    dep("10", GES, 3.1, 52.0, &["Troyes", "Romilly-sur-Seine", "Bar-sur-Aube", "Nogent-sur-Seine", "La Chapelle-Saint-Luc"]),
    dep("11", OCC, 3.7, 60.0, &["Carcassonne", "Narbonne", "Castelnaudary", "Limoux", "Lézignan-Corbières"]),
    dep("12", OCC, 2.8, 32.0, &["Rodez", "Millau", "Villefranche-de-Rouergue", "Decazeville", "Saint-Affrique"]),
    dep("13", PAC, 20.4, 400.0, &["Marseille", "Aix-en-Provence", "Arles", "Martigues", "Aubagne", "Salon-de-Provence", "Istres", "Vitrolles"]),
    dep("14", NOR, 6.9, 125.0, &["Caen", "Lisieux", "Bayeux", "Vire", "Hérouville-Saint-Clair"]),
    dep("15", ARA, 1.4, 25.0, &["Aurillac", "Saint-Flour", "Mauriac", "Riom-ès-Montagnes", "Murat"]),
    dep("16", NAQ, 3.5, 59.0, &["Angoulême", "Cognac", "Ruffec", "Confolens", "Barbezieux-Saint-Hilaire"]),
    dep("17", NAQ, 6.5, 94.0, &["La Rochelle", "Saintes", "Rochefort", "Royan", "Saint-Jean-d'Angély"]),
    dep("18", CVL, 3.0, 42.0, &["Bourges", "Vierzon", "Saint-Amand-Montrond", "Aubigny-sur-Nère", "Mehun-sur-Yèvre"]),
    dep("19", NAQ, 2.4, 41.0, &["Tulle", "Brive-la-Gaillarde", "Ussel", "Égletons", "Objat"]),
    dep("21", BFC, 5.3, 60.0, &["Dijon", "Beaune", "Montbard", "Chenôve", "Auxonne"]),
    dep("22", BRE, 6.0, 87.0, &["Saint-Brieuc", "Lannion", "Dinan", "Guingamp", "Loudéac"]),
    dep("23", NAQ, 1.2, 21.0, &["Guéret", "Aubusson", "La Souterraine", "Bourganeuf"]),
    dep("24", NAQ, 4.1, 46.0, &["Périgueux", "Bergerac", "Sarlat-la-Canéda", "Nontron", "Ribérac"]),
    dep("25", BFC, 5.4, 104.0, &["Besançon", "Montbéliard", "Pontarlier", "Audincourt", "Morteau"]),
    dep("26", ARA, 5.2, 80.0, &["Valence", "Montélimar", "Romans-sur-Isère", "Die", "Nyons"]),
    dep("27", NOR, 6.0, 100.0, &["Évreux", "Vernon", "Louviers", "Les Andelys", "Bernay"]),
    dep("28", CVL, 4.3, 73.0, &["Chartres", "Dreux", "Châteaudun", "Nogent-le-Rotrou", "Lucé"]),
    dep("29", BRE, 9.1, 135.0, &["Brest", "Quimper", "Morlaix", "Quimperlé", "Landerneau"]),
    dep("2A", COR, 1.6, 40.0, &["Ajaccio", "Porto-Vecchio", "Propriano", "Sartène"]),
    dep("2B", COR, 1.6, 37.0, &["Bastia", "Corte", "Calvi", "L'Île-Rousse"]),
    dep("30", OCC, 7.5, 128.0, &["Nîmes", "Alès", "Bagnols-sur-Cèze", "Beaucaire", "Le Vigan"]),
    dep("31", OCC, 14.0, 220.0, &["Toulouse", "Muret", "Saint-Gaudens", "Colomiers", "Blagnac", "Villefranche-de-Lauragais"]),
    dep("32", OCC, 1.9, 30.0, &["Auch", "Condom", "Fleurance", "L'Isle-Jourdain", "Mirande"]),
    dep("33", NAQ, 16.0, 160.0, &["Bordeaux", "Mérignac", "Pessac", "Libourne", "Arcachon", "Lesparre-Médoc", "Langon"]),
    dep("34", OCC, 11.8, 190.0, &["Montpellier", "Béziers", "Sète", "Lunel", "Agde", "Lodève"]),
    dep("35", BRE, 10.8, 160.0, &["Rennes", "Saint-Malo", "Fougères", "Vitré", "Redon"]),
    dep("36", CVL, 2.2, 32.0, &["Châteauroux", "Issoudun", "Le Blanc", "La Châtre"]),
    dep("37", CVL, 6.1, 100.0, &["Tours", "Amboise", "Chinon", "Loches", "Joué-lès-Tours"]),
    dep("38", ARA, 12.7, 170.0, &["Grenoble", "Vienne", "Voiron", "Bourgoin-Jallieu", "L'Isle-d'Abeau", "Échirolles"]),
    dep("39", BFC, 2.6, 52.0, &["Lons-le-Saunier", "Dole", "Saint-Claude", "Champagnole"]),
    dep("40", NAQ, 4.1, 44.0, &["Mont-de-Marsan", "Dax", "Biscarrosse", "Saint-Vincent-de-Tyrosse"]),
    dep("41", CVL, 3.3, 52.0, &["Blois", "Vendôme", "Romorantin-Lanthenay", "Montoire-sur-le-Loir"]),
    dep("42", ARA, 7.6, 160.0, &["Saint-Étienne", "Roanne", "Montbrison", "Firminy", "Saint-Chamond"]),
    dep("43", ARA, 2.3, 45.0, &["Le Puy-en-Velay", "Yssingeaux", "Brioude", "Monistrol-sur-Loire"]),
    dep("44", PDL, 14.3, 210.0, &["Nantes", "Saint-Nazaire", "Châteaubriant", "Rezé", "Ancenis-Saint-Géréon", "Pornic"]),
    dep("45", CVL, 6.8, 100.0, &["Orléans", "Montargis", "Gien", "Pithiviers", "Fleury-les-Aubrais"]),
    dep("46", OCC, 1.7, 33.0, &["Cahors", "Figeac", "Gourdon", "Souillac"]),
    dep("47", NAQ, 3.3, 62.0, &["Agen", "Villeneuve-sur-Lot", "Marmande", "Nérac", "Fumel"]),
    dep("48", OCC, 0.8, 15.0, &["Mende", "Marvejols", "Langogne", "Florac"]),
    dep("49", PDL, 8.2, 113.0, &["Angers", "Cholet", "Saumur", "Segré", "Trélazé"]),
    dep("50", NOR, 5.0, 83.0, &["Cherbourg-en-Cotentin", "Saint-Lô", "Granville", "Avranches", "Coutances"]),
    dep("51", GES, 5.7, 70.0, &["Reims", "Châlons-en-Champagne", "Épernay", "Vitry-le-François", "Sézanne"]),
    dep("52", GES, 1.7, 28.0, &["Chaumont", "Saint-Dizier", "Langres", "Joinville"]),
    dep("53", PDL, 3.1, 59.0, &["Laval", "Château-Gontier", "Mayenne", "Évron"]),
    dep("54", GES, 7.3, 140.0, &["Nancy", "Lunéville", "Longwy", "Toul", "Pont-à-Mousson", "Vandœuvre-lès-Nancy"]),
    dep("55", GES, 1.8, 30.0, &["Bar-le-Duc", "Verdun", "Commercy", "Saint-Mihiel"]),
    dep("56", BRE, 7.6, 110.0, &["Vannes", "Lorient", "Pontivy", "Auray", "Ploërmel"]),
    dep("57", GES, 10.4, 168.0, &["Metz", "Thionville", "Forbach", "Sarreguemines", "Sarrebourg", "Creutzwald"]),
    dep("58", BFC, 2.0, 30.0, &["Nevers", "Cosne-Cours-sur-Loire", "Clamecy", "Decize"]),
    dep("59", HDF, 26.0, 450.0, &["Lille", "Roubaix", "Tourcoing", "Dunkerque", "Valenciennes", "Douai", "Maubeuge", "Cambrai", "Villeneuve-d'Ascq", "Armentières"]),
    dep("60", HDF, 8.2, 140.0, &["Beauvais", "Compiègne", "Creil", "Noyon", "Clermont"]),
    dep("61", NOR, 2.8, 46.0, &["Alençon", "Flers", "Argentan", "L'Aigle"]),
    dep("62", HDF, 14.7, 220.0, &["Arras", "Lens", "Calais", "Boulogne-sur-Mer", "Béthune", "Saint-Omer", "Liévin", "Hénin-Beaumont"]),
    dep("63", ARA, 6.6, 83.0, &["Clermont-Ferrand", "Riom", "Thiers", "Issoire", "Ambert"]),
    dep("64", NAQ, 6.8, 88.0, &["Pau", "Bayonne", "Oloron-Sainte-Marie", "Orthez", "Anglet"]),
    dep("65", OCC, 2.3, 51.0, &["Tarbes", "Lourdes", "Bagnères-de-Bigorre", "Lannemezan"]),
    dep("66", OCC, 4.8, 115.0, &["Perpignan", "Céret", "Prades", "Argelès-sur-Mer"]),
    dep("67", GES, 11.3, 235.0, &["Strasbourg", "Haguenau", "Sélestat", "Saverne", "Molsheim"]),
    dep("68", GES, 7.6, 215.0, &["Mulhouse", "Colmar", "Saint-Louis", "Guebwiller", "Thann"]),
    dep("69", ARA, 18.8, 580.0, &["Lyon", "Villeurbanne", "Vénissieux", "Villefranche-sur-Saône", "Vaulx-en-Velin", "Givors", "Tarare"]),
    dep("70", BFC, 2.4, 44.0, &["Vesoul", "Lure", "Gray", "Luxeuil-les-Bains"]),
    dep("71", BFC, 5.5, 64.0, &["Mâcon", "Chalon-sur-Saône", "Le Creusot", "Montceau-les-Mines", "Autun", "Paray-le-Monial"]),
    dep("72", PDL, 5.7, 91.0, &["Le Mans", "La Flèche", "Sablé-sur-Sarthe", "Mamers", "Saint-Calais"]),
    dep("73", ARA, 4.4, 71.0, &["Chambéry", "Aix-les-Bains", "Albertville", "Saint-Jean-de-Maurienne", "Bourg-Saint-Maurice"]),
    dep("74", ARA, 8.3, 190.0, &["Annecy", "Annemasse", "Thonon-les-Bains", "Cluses", "Sallanches"]),
    dep("75", IDF, 5.0, 7500.0, &["Paris Centre", "Paris Nord-Est", "Paris Sud", "Paris Ouest", "Paris Est"]),
    dep("76", NOR, 12.5, 200.0, &["Rouen", "Le Havre", "Dieppe", "Elbeuf", "Fécamp", "Bolbec"]),
    dep("77", IDF, 14.0, 240.0, &["Melun", "Meaux", "Chelles", "Pontault-Combault", "Provins", "Montereau-Fault-Yonne", "Torcy"]),
    dep("78", IDF, 14.4, 630.0, &["Versailles", "Mantes-la-Jolie", "Les Mureaux", "Saint-Quentin-en-Yvelines", "Poissy", "Rambouillet", "Sartrouville"]),
    dep("79", NAQ, 3.7, 62.0, &["Niort", "Bressuire", "Parthenay", "Thouars"]),
    dep("80", HDF, 5.7, 93.0, &["Amiens", "Abbeville", "Albert", "Péronne", "Montdidier"]),
    dep("81", OCC, 3.9, 67.0, &["Albi", "Castres", "Gaillac", "Mazamet", "Carmaux"]),
    dep("82", OCC, 2.6, 70.0, &["Montauban", "Castelsarrasin", "Moissac", "Caussade"]),
    dep("83", PAC, 10.8, 180.0, &["Toulon", "Fréjus", "Draguignan", "Hyères", "Brignoles", "La Seyne-sur-Mer"]),
    dep("84", PAC, 5.6, 160.0, &["Avignon", "Carpentras", "Orange", "Cavaillon", "Apt", "L'Isle-sur-la-Sorgue"]),
    dep("85", PDL, 6.8, 100.0, &["La Roche-sur-Yon", "Les Sables-d'Olonne", "Challans", "Fontenay-le-Comte", "Les Herbiers"]),
    dep("86", NAQ, 4.4, 63.0, &["Poitiers", "Châtellerault", "Loudun", "Montmorillon", "Civray"]),
    dep("87", NAQ, 3.7, 67.0, &["Limoges", "Saint-Junien", "Saint-Yrieix-la-Perche", "Bellac"]),
    dep("88", GES, 3.6, 61.0, &["Épinal", "Saint-Dié-des-Vosges", "Remiremont", "Neufchâteau", "Gérardmer"]),
    dep("89", BFC, 3.3, 45.0, &["Auxerre", "Sens", "Avallon", "Joigny", "Tonnerre"]),
    dep("90", BFC, 1.4, 230.0, &["Belfort", "Delle", "Valdoie"]),
    dep("91", IDF, 13.0, 700.0, &["Évry-Courcouronnes", "Corbeil-Essonnes", "Massy", "Étampes", "Grigny", "Savigny-sur-Orge", "Les Ulis"]),
    dep("92", IDF, 16.2, 6500.0, &["Nanterre", "Boulogne-Billancourt", "Colombes", "Gennevilliers", "Clichy", "Rueil-Malmaison", "Antony", "Bagneux"]),
    dep("93", IDF, 16.6, 5500.0, &["Saint-Denis", "Montreuil", "Aubervilliers", "Bobigny", "Aulnay-sous-Bois", "Saint-Ouen-sur-Seine", "Clichy-sous-Bois", "Noisy-le-Grand"]),
    dep("94", IDF, 14.0, 4500.0, &["Créteil", "Vitry-sur-Seine", "Champigny-sur-Marne", "Ivry-sur-Seine", "Villejuif", "Choisy-le-Roi", "Fontenay-sous-Bois"]),
    dep("95", IDF, 12.5, 1000.0, &["Cergy", "Argenteuil", "Sarcelles", "Garges-lès-Gonesse", "Pontoise", "Goussainville", "Ermont"]),
    dep("971", GUA, 1.0, 240.0, &["Pointe-à-Pitre", "Basse-Terre", "Les Abymes", "Le Moule", "Sainte-Anne"]),
    dep("972", MTQ, 1.0, 320.0, &["Fort-de-France", "Le Lamentin", "Le Robert", "Sainte-Marie"]),
    dep("973", GUF, 1.0, 3.0, &["Cayenne", "Saint-Laurent-du-Maroni", "Kourou"]),
    dep("974", REU, 1.0, 345.0, &["Saint-Denis", "Saint-Pierre", "Saint-Paul", "Saint-André", "Le Port"]),
    dep("976", MAY, 1.0, 700.0, &["Mamoudzou", "Dzaoudzi"]),
];

/// Splits `total` into parts proportional to `weights` (largest remainders, ties to the
/// first). Deterministic and exact: the parts add up to `total`.
fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    let quotas: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<usize> = quotas.iter().map(|q| q.floor() as usize).collect();
    let given: usize = parts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = quotas[a] - quotas[a].floor();
        let rb = quotas[b] - quotas[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().take(total.saturating_sub(given)) {
        parts[i] += 1;
    }
    parts
}

/// Number of structures per region: proportional to the real network, every region at
/// least one when there are at least 18 structures.
fn region_counts(total: usize) -> Vec<usize> {
    let weights: Vec<f64> = REGIONS.iter().map(|r| r.count_440 as f64).collect();
    let mut counts = apportion(total, &weights);
    if total >= REGIONS.len() {
        while let Some(empty) = counts.iter().position(|&c| c == 0) {
            // Take from the largest region (first one on ties).
            let mut largest = 0;
            for (i, &c) in counts.iter().enumerate() {
                if c > counts[largest] {
                    largest = i;
                }
            }
            counts[largest] -= 1;
            counts[empty] += 1;
        }
    }
    counts
}

/// Number of structures per department (same order as [`DEPARTMENTS`]).
pub(super) fn department_counts(total: usize) -> Vec<usize> {
    let mut counts = vec![0; DEPARTMENTS.len()];
    for (r, &n) in region_counts(total).iter().enumerate() {
        let members: Vec<usize> = (0..DEPARTMENTS.len())
            .filter(|&d| DEPARTMENTS[d].region == r)
            .collect();
        let weights: Vec<f64> = members.iter().map(|&d| DEPARTMENTS[d].weight).collect();
        for (&d, part) in members.iter().zip(apportion(n, &weights)) {
            counts[d] = part;
        }
    }
    counts
}

impl Department {
    /// The region the department belongs to.
    pub fn region(&self) -> &'static Region {
        &REGIONS[self.region]
    }

    /// The codes of the department's `n` structures, in order: the department code and
    /// distinct numbers drawn among 1..=999 (1..=99 overseas), then, beyond that capacity,
    /// one more digit (`011000`, `9711000`...), so codes stay unique text.
    pub fn codes(&self, n: usize, draws: &mut Draws) -> Vec<String> {
        let (capacity, width) = if self.code.len() == 3 {
            (99, 2)
        } else {
            (999, 3)
        };
        let drawn = n.min(capacity);
        // A partial Fisher-Yates shuffle picks the numbers; they are then put in order.
        let mut numbers: Vec<usize> = (1..=capacity).collect();
        for i in 0..drawn {
            let j = i + draws.below(capacity - i);
            numbers.swap(i, j);
        }
        let mut chosen: Vec<usize> = numbers[..drawn].to_vec();
        chosen.sort_unstable();
        let numbered = chosen
            .into_iter()
            .map(|number| format!("{}{number:0width$}", self.code));
        let beyond = (capacity..n)
            .map(|j| format!("{}{}", self.code, 10usize.pow(width as u32) + j - capacity));
        numbered.chain(beyond).collect()
    }

    /// The name of the department's `j`-th structure: its towns in turn, then the same
    /// towns with a sector (`Nord`, `Sud`...) or an antenna number; `style` in [0, 1)
    /// picks the naming style.
    pub fn structure_name(&self, j: usize, style: f64) -> String {
        let town = self.towns[j % self.towns.len()];
        structure_name(self.code, town, j / self.towns.len(), style)
    }
}

/// `apostrophe-aware` "de X": du, des, d', de.
fn of_town(town: &str) -> String {
    if let Some(rest) = town.strip_prefix("Le ") {
        format!("du {rest}")
    } else if let Some(rest) = town.strip_prefix("Les ") {
        format!("des {rest}")
    } else if town
        .chars()
        .next()
        .is_some_and(|c| "AEIOUYÉÈÊÎÔHaeiouyéh".contains(c))
    {
        format!("d'{town}")
    } else {
        format!("de {town}")
    }
}

const SECTORS: [&str; 6] = ["", "Nord", "Sud", "Est", "Ouest", "Centre"];

/// A name in one of the styles seen in the field: `01-ML BOURG EN BRESSE` (exports) or
/// `Mission locale de ...` variants.
fn structure_name(department: &str, town: &str, round: usize, style: f64) -> String {
    let sector = match round {
        0 => String::new(),
        r if r < SECTORS.len() => format!(" {}", SECTORS[r]),
        r => format!(" - antenne {}", r - SECTORS.len() + 2),
    };
    if style < 0.35 {
        let town = deunicode::deunicode(town)
            .to_uppercase()
            .replace(['-', '\''], " ");
        return format!("{department}-ML {town}{}", sector.to_uppercase());
    }
    let of = of_town(town);
    let body = if style < 0.62 {
        format!("Mission locale {of}")
    } else if style < 0.74 {
        format!("Mission locale du Pays {of}")
    } else if style < 0.86 {
        format!("Mission locale de l'Agglomération {of}")
    } else if style < 0.94 {
        format!("Mission locale du bassin {of}")
    } else {
        format!("Mission locale {of} et de sa région")
    };
    format!("{body}{sector}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_add_up_to_the_real_network() {
        assert_eq!(REGIONS.iter().map(|r| r.count_440).sum::<usize>(), 440);
        assert_eq!(
            region_counts(440),
            REGIONS.iter().map(|r| r.count_440).collect::<Vec<_>>()
        );
        for n in [1, 17, 18, 19, 100, 441, 10_000] {
            let counts = region_counts(n);
            assert_eq!(counts.iter().sum::<usize>(), n);
            if n >= 18 {
                assert!(counts.iter().all(|&c| c >= 1), "{n}: {counts:?}");
            }
            assert_eq!(department_counts(n).iter().sum::<usize>(), n);
        }
        for d in DEPARTMENTS {
            assert!(d.code.len() == 2 || d.code.len() == 3);
            assert!(!d.towns.is_empty());
        }
    }

    #[test]
    fn names_follow_field_styles() {
        assert_eq!(
            structure_name("01", "Bourg-en-Bresse", 0, 0.1),
            "01-ML BOURG EN BRESSE"
        );
        assert_eq!(
            structure_name("27", "Évreux", 0, 0.8),
            "Mission locale de l'Agglomération d'Évreux"
        );
        assert_eq!(
            structure_name("35", "Fougères", 0, 0.7),
            "Mission locale du Pays de Fougères"
        );
        assert_eq!(
            structure_name("72", "Le Mans", 1, 0.5),
            "Mission locale du Mans Nord"
        );
    }
}
