//! Synthetic national workbook: realistic, deterministic demo and benchmark data.
//!
//! No open per-structure results data exists for the missions locales, so demos, tests and
//! benchmarks run on a generated workbook that looks like the real thing (see
//! `DOMAIN.md`): two sheets, `Indicateurs` (activity and results) and `Contexte` (territorial
//! context), a title row above each header, 5-character text codes with leading zeros and
//! Corsica's `2A`/`2B`, the 18 current regions in realistic proportions, accented names,
//! national magnitudes close to the published ones, outcomes that depend on context, and a
//! few `n.d.` cells.
//!
//! This module owns generation only: it knows the column labels of the `cpo` pack by value
//! (a test checks them against `rules/cpo/pack.toml`) and never reads a pack or a workbook.
//!
//! Determinism: the same [`SampleOptions`] give the same bytes on every platform. Draws come
//! from ChaCha8 seeded with the seed; normal variates are Irwin-Hall sums and `exp`/`ln` are
//! computed here with basic IEEE operations only (the platform's libm may differ by an ulp);
//! the document creation date is derived from the options, never from the clock.

use crate::error::{Error, Result};
use crate::template::FRENCH_REGIONS;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

/// Most structures a sample may hold.
pub const MAX_STRUCTURES: usize = 1_000_000;
/// Most years a sample may span.
pub const MAX_YEARS: u32 = 20;
/// Rows in an Excel worksheet.
const EXCEL_MAX_ROWS: usize = 1_048_576;
/// Rows above the first data row: title, subtitle, header.
const HEADER_ROW: u32 = 2;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleOptions {
    /// Number of missions locales (440 in the real network).
    pub structures: usize,
    /// Number of consecutive years; above 1 the sheets are in long format (one row per
    /// structure and year, with an `Année` column).
    pub years: u32,
    /// Seed of the pseudo-random generator: same options, same bytes.
    pub seed: u64,
    /// First year observed.
    pub first_year: i32,
}

impl Default for SampleOptions {
    /// 440 structures, one year (2010), seed 2011: the committed `workbooks/exemple-national.xlsx`.
    fn default() -> Self {
        SampleOptions {
            structures: 440,
            years: 1,
            seed: 2011,
            first_year: 2010,
        }
    }
}

/// Generates the synthetic national workbook and returns the `.xlsx` bytes.
///
/// Codes are INSEE-like: the department (`01`..`95`, `2A`, `2B`) and 3 digits, or `971`..`976`
/// and 2 digits overseas. When a department needs more structures than that allows (999 in
/// metropolitan France, 99 overseas, only for very large samples), the extra structures get one
/// more digit (`011000`, `9711000`...), so codes stay unique text.
///
/// ```
/// use boussole::sample::{sample_workbook, SampleOptions};
/// let opts = SampleOptions { structures: 30, ..SampleOptions::default() };
/// let bytes = sample_workbook(&opts).unwrap();
/// assert_eq!(&bytes[..2], b"PK");
/// assert_eq!(bytes, sample_workbook(&opts).unwrap());
/// ```
///
/// # Errors
/// [`Error::Input`] when the options are out of range (structures from 1 to 1,000,000,
/// years from 1 to 20, first year from 1900 to 2100, at most 1,048,573 rows per sheet).
pub fn sample_workbook(opts: &SampleOptions) -> Result<Vec<u8>> {
    validate(opts)?;
    let structures = generate_structures(opts);
    let observations = generate_observations(opts, &structures);
    write_workbook(opts, &structures, &observations)
        .map_err(|e| Error::Internal(format!("écriture du classeur synthétique impossible : {e}")))
}

fn validate(opts: &SampleOptions) -> Result<()> {
    if opts.structures == 0 || opts.structures > MAX_STRUCTURES {
        return Err(Error::Input(format!(
            "nombre de structures invalide ({}) : il doit être compris entre 1 et 1 000 000",
            opts.structures
        )));
    }
    if opts.years == 0 || opts.years > MAX_YEARS {
        return Err(Error::Input(format!(
            "nombre d'années invalide ({}) : il doit être compris entre 1 et 20",
            opts.years
        )));
    }
    if !(1900..=2100).contains(&opts.first_year) {
        return Err(Error::Input(format!(
            "première année invalide ({}) : elle doit être comprise entre 1900 et 2100",
            opts.first_year
        )));
    }
    let rows = opts.structures.saturating_mul(opts.years as usize);
    if rows > EXCEL_MAX_ROWS - (HEADER_ROW as usize + 1) {
        return Err(Error::Input(format!(
            "{} structures sur {} années donnent {rows} lignes : une feuille Excel en contient au plus {} (réduire le nombre de structures ou d'années)",
            opts.structures,
            opts.years,
            EXCEL_MAX_ROWS - (HEADER_ROW as usize + 1)
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Geography: the 18 current regions, their departments, typical towns.
// ---------------------------------------------------------------------------------------

/// A current region: name, number of missions locales out of 440, and the typical youth
/// unemployment rate around which its structures are drawn.
struct Region {
    name: &'static str,
    count_440: usize,
    unemployment: f64,
    overseas: bool,
}

/// A department: INSEE code, region (index into [`REGIONS`]), weight (population in
/// hundreds of thousands, tuned so the allocation looks like the real network), typical
/// density (inhabitants per km²) and towns hosting a mission locale or an antenna.
struct Department {
    code: &'static str,
    region: usize,
    weight: f64,
    density: f64,
    towns: &'static [&'static str],
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

/// Region `index` of [`FRENCH_REGIONS`] (the template's drop-down holds the same names).
const fn region(index: usize, count_440: usize, unemployment: f64) -> Region {
    Region {
        name: FRENCH_REGIONS[index],
        count_440,
        unemployment,
        overseas: false,
    }
}

const fn overseas(index: usize, count_440: usize) -> Region {
    Region {
        name: FRENCH_REGIONS[index],
        count_440,
        unemployment: 0.37,
        overseas: true,
    }
}

/// The 18 regions since 2016, in the order of [`FRENCH_REGIONS`]; the counts add up to 440.
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
const DEPARTMENTS: &[Department] = &[
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
fn department_counts(total: usize) -> Vec<usize> {
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

// ---------------------------------------------------------------------------------------
// Deterministic draws.
// ---------------------------------------------------------------------------------------

/// The pseudo-random source: ChaCha8 plus platform-independent continuous draws.
struct Draws(ChaCha8Rng);

impl Draws {
    fn new(seed: u64, stream: u64) -> Draws {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Draws(rng)
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in [0, n) (n > 0); the modulo bias is negligible for small n.
    fn below(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n as u64) as usize
    }

    /// Standard normal, approximated by an Irwin-Hall sum of 12 uniforms (bounded at ±6,
    /// which suits synthetic data: no absurd outliers). Four 64-bit words give the 12
    /// uniforms of 21 bits each.
    fn normal(&mut self) -> f64 {
        const SCALE: f64 = 1.0 / (1u64 << 21) as f64;
        let mut sum = 0.0;
        for _ in 0..4 {
            let word = self.0.next_u64();
            for k in 0..3 {
                sum += ((word >> (21 * k)) & 0x1F_FFFF) as f64 * SCALE;
            }
        }
        sum - 6.0
    }

    /// Normal with the given mean and standard deviation.
    fn gauss(&mut self, mean: f64, sd: f64) -> f64 {
        mean + sd * self.normal()
    }

    /// Log-normal with the given median and log-scale standard deviation.
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * exp(sigma * self.normal())
    }
}

const LN_2: f64 = std::f64::consts::LN_2;

/// `e^x` from basic IEEE operations only (same bits on every platform); relative error
/// below 1e-15 for |x| < 700.
fn exp(x: f64) -> f64 {
    let x = x.clamp(-700.0, 700.0);
    let k = (x / LN_2).round();
    let r = x - k * LN_2;
    // Taylor series of e^r for |r| <= ln 2 / 2, Horner form.
    let mut sum = 1.0;
    for i in (1..=17).rev() {
        sum = 1.0 + sum * r / i as f64;
    }
    // Multiply by 2^k by building the power of two directly.
    sum * f64::from_bits(((k as i64 + 1023) as u64) << 52)
}

/// Natural logarithm of a positive normal number from basic IEEE operations only.
fn ln(x: f64) -> f64 {
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7FF) as i64 - 1023;
    // Mantissa in [1, 2), then shifted to [sqrt(1/2), sqrt(2)) for a fast series.
    let mut m = f64::from_bits((bits & 0x000F_FFFF_FFFF_FFFF) | (1023u64 << 52));
    let mut e = exponent as f64;
    if m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        e += 1.0;
    }
    // ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut sum = 0.0;
    for i in (0..=12).rev() {
        sum = 1.0 / (2 * i + 1) as f64 + s2 * sum;
    }
    e * LN_2 + 2.0 * s * sum
}

/// Squeezes `x` into (lo, hi) smoothly (a hyperbolic tangent around the midpoint), so
/// extreme draws approach the bounds without piling up on them.
fn soft_clamp(x: f64, lo: f64, hi: f64) -> f64 {
    let (mid, half) = ((lo + hi) / 2.0, (hi - lo) / 2.0);
    let e = exp(2.0 * (x - mid) / half);
    mid + half * (e - 1.0) / (e + 1.0)
}

fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = [1.0, 10.0, 100.0, 1000.0][decimals as usize];
    (x * scale).round() / scale
}

fn count(x: f64) -> u64 {
    x.max(0.0).round() as u64
}

// ---------------------------------------------------------------------------------------
// Structures and their yearly observations.
// ---------------------------------------------------------------------------------------

/// A generated mission locale and its persistent traits.
struct Structure {
    code: String,
    name: String,
    region: usize,
    population: f64,
    population_growth: f64,
    activity_rate: f64,
    unemployment: f64,
    no_diploma: f64,
    qpv: f64,
    density: f64,
    defm_ratio: f64,
    coverage: f64,
    contacts_per_welcome: f64,
    followed_share: f64,
    interviews_per_young: f64,
    civis_share: f64,
    access_effect: f64,
    durable_effect: f64,
    training_share: f64,
    work_study_share: f64,
    caseload: f64,
    offers_per_etp: f64,
    employers_share: f64,
}

/// One structure-year: the context and the CPO indicators. `None` is a missing value
/// (written `n.d.`).
struct Observation {
    structure: usize,
    year: i32,
    context: Context,
    activity: [Option<f64>; ACTIVITY_COLUMNS.len()],
}

struct Context {
    population: u64,
    unemployed_young: u64,
    defm: u64,
    unemployment: f64,
    no_diploma: f64,
    qpv: f64,
    density: f64,
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

/// Draws the structures (sorted by code) and their persistent traits.
fn generate_structures(opts: &SampleOptions) -> Vec<Structure> {
    let mut draws = Draws::new(opts.seed, 0);
    let counts = department_counts(opts.structures);
    let mut structures = Vec::with_capacity(opts.structures);
    for (d, department) in DEPARTMENTS.iter().enumerate() {
        let n = counts[d];
        if n == 0 {
            continue;
        }
        let region = &REGIONS[department.region];
        // Codes: department + distinct numbers drawn among 1..=capacity, in order.
        let (capacity, width) = if department.code.len() == 3 {
            (99, 2)
        } else {
            (999, 3)
        };
        let mut numbers: Vec<usize> = (1..=capacity).collect();
        for i in 0..n.min(capacity) {
            let j = i + draws.below(capacity - i);
            numbers.swap(i, j);
        }
        let mut chosen: Vec<usize> = numbers[..n.min(capacity)].to_vec();
        chosen.sort_unstable();
        let department_unemployment = draws.gauss(0.0, 0.015);
        for j in 0..n {
            let code = match chosen.get(j) {
                Some(number) => format!("{}{number:0width$}", department.code),
                // Beyond the 5-character space: one more digit, still unique.
                None => format!(
                    "{}{}",
                    department.code,
                    10usize.pow(width as u32) + j - capacity
                ),
            };
            let town = department.towns[j % department.towns.len()];
            let name = structure_name(
                department.code,
                town,
                j / department.towns.len(),
                draws.uniform(),
            );
            let unemployment =
                (region.unemployment + department_unemployment + draws.gauss(0.0, 0.025))
                    .clamp(0.15, 0.40);
            // Dense departments are dense throughout; rural ones mix small towns and countryside.
            let spread = if department.density > 2_000.0 {
                0.3
            } else {
                0.7
            };
            let density = draws
                .lognormal(department.density, spread)
                .clamp(3.0, 12_000.0);
            let overseas_gap = if region.overseas { 0.06 } else { 0.0 };
            let no_diploma =
                (0.19 + 0.5 * (unemployment - 0.25) + overseas_gap + draws.gauss(0.0, 0.035))
                    .clamp(0.10, 0.35);
            let qpv = (0.02
                + 0.045 * ln(density / 50.0)
                + 0.3 * (unemployment - 0.25)
                + draws.gauss(0.0, 0.035))
            .clamp(0.0, 0.40);
            structures.push(Structure {
                code,
                name,
                region: department.region,
                population: draws.lognormal(14_000.0, 0.6).clamp(2_000.0, 80_000.0),
                population_growth: draws.gauss(0.0, 0.01),
                activity_rate: draws.gauss(0.45, 0.03).clamp(0.35, 0.55),
                unemployment,
                no_diploma,
                qpv,
                density,
                defm_ratio: draws.lognormal(0.80, 0.15),
                coverage: draws.lognormal(0.75, 0.2),
                contacts_per_welcome: draws.gauss(2.7, 0.25),
                followed_share: draws.gauss(0.72, 0.04),
                interviews_per_young: draws.gauss(4.5, 0.6),
                civis_share: draws.gauss(0.15, 0.025),
                access_effect: draws.gauss(0.0, 0.055),
                durable_effect: draws.gauss(0.0, 0.015),
                training_share: draws.gauss(0.17, 0.03),
                work_study_share: draws.gauss(0.045, 0.012),
                caseload: draws.gauss(120.0, 10.0),
                offers_per_etp: draws.gauss(25.0, 6.0),
                employers_share: draws.gauss(0.15, 0.04),
            });
        }
    }
    structures.sort_by(|a, b| a.code.cmp(&b.code));
    structures
}

/// Draws every structure-year, structure by structure, year by year.
fn generate_observations(opts: &SampleOptions, structures: &[Structure]) -> Vec<Observation> {
    let mut draws = Draws::new(opts.seed, 1);
    let mut missing = Draws::new(opts.seed, 2);
    // National conjuncture: a random walk of youth unemployment and a slow activity trend.
    let mut shift = Vec::with_capacity(opts.years as usize);
    let mut level = 0.0;
    for t in 0..opts.years {
        if t > 0 {
            level += draws.gauss(0.0, 0.012);
        }
        shift.push(level);
    }
    let mut observations = Vec::with_capacity(structures.len() * opts.years as usize);
    for (s, st) in structures.iter().enumerate() {
        for t in 0..opts.years {
            let tf = t as f64;
            let population = (st.population * (1.0 + st.population_growth * tf)).max(1_000.0);
            let unemployment =
                (st.unemployment + shift[t as usize] + draws.gauss(0.0, 0.008)).clamp(0.15, 0.40);
            let no_diploma =
                (st.no_diploma - 0.003 * tf + draws.gauss(0.0, 0.005)).clamp(0.10, 0.35);
            let qpv = (st.qpv + draws.gauss(0.0, 0.003)).clamp(0.0, 0.40);
            let context = Context {
                population: count(population),
                unemployed_young: count(population * st.activity_rate * unemployment),
                defm: 0,
                unemployment: round_to(unemployment, 3),
                no_diploma: round_to(no_diploma, 3),
                qpv: round_to(qpv, 3),
                density: round_to(st.density * (1.0 + 0.003 * tf), 0),
            };
            let defm =
                context.unemployed_young as f64 * st.defm_ratio * (1.0 + draws.gauss(0.0, 0.04));
            let context = Context {
                defm: count(defm),
                ..context
            };
            let (unemployment, no_diploma, qpv) =
                (context.unemployment, context.no_diploma, context.qpv);

            let coverage = (st.coverage * (1.0 + 0.01 * tf) * (1.0 + draws.gauss(0.0, 0.05)))
                .clamp(0.40, 1.10);
            let welcomes = count(defm * coverage).max(1);
            let contacts_ratio = (st.contacts_per_welcome + draws.gauss(0.0, 0.08)).clamp(2.0, 3.6);
            let contacts = count(welcomes as f64 * contacts_ratio);
            let followed_share = (st.followed_share + draws.gauss(0.0, 0.02)).clamp(0.55, 0.82);
            let followed = count(contacts as f64 * followed_share).max(1);
            let f = followed as f64;
            let interviews =
                count(f * (st.interviews_per_young + draws.gauss(0.0, 0.2)).clamp(2.5, 6.5));
            let civis_in = count(f * (st.civis_share + draws.gauss(0.0, 0.01)).clamp(0.08, 0.22));
            let civis_out =
                count(civis_in as f64 * (1.0 + draws.gauss(0.0, 0.08)).clamp(0.75, 1.25));
            let civis_durable_rate =
                (0.34 - 0.3 * (unemployment - 0.25) + draws.gauss(0.0, 0.02)).clamp(0.28, 0.40);
            let civis_durable = count(civis_out as f64 * civis_durable_rate);
            // Access to employment: context explains about half of the differences.
            let access_rate = soft_clamp(
                0.40 - 0.85 * (unemployment - 0.25)
                    - 0.5 * (no_diploma - 0.20)
                    - 0.1 * (qpv - 0.08)
                    + st.access_effect
                    + draws.gauss(0.0, 0.04),
                0.18,
                0.62,
            );
            let employed = count(f * access_rate);
            let durable_rate = (0.475 - 0.45 * (unemployment - 0.25) - 0.25 * (no_diploma - 0.20)
                + st.durable_effect
                + draws.gauss(0.0, 0.01))
            .clamp(0.40, 0.55);
            let durable = count(employed as f64 * durable_rate);
            let training =
                count(f * (st.training_share + draws.gauss(0.0, 0.01)).clamp(0.10, 0.25));
            let work_study =
                count(f * (st.work_study_share + draws.gauss(0.0, 0.004)).clamp(0.02, 0.08));
            let etp = round_to(
                f / (st.caseload + draws.gauss(0.0, 4.0)).clamp(95.0, 150.0),
                1,
            )
            .max(0.5);
            let offers = count(etp * (st.offers_per_etp + draws.gauss(0.0, 2.0)).clamp(10.0, 40.0));
            let employers =
                count(f * (st.employers_share + draws.gauss(0.0, 0.01)).clamp(0.05, 0.25));

            let values = [
                welcomes as f64,
                contacts as f64,
                f,
                interviews as f64,
                civis_in as f64,
                civis_out as f64,
                civis_durable as f64,
                employed as f64,
                durable as f64,
                training as f64,
                work_study as f64,
                offers as f64,
                employers as f64,
                etp,
            ];
            let mut activity = [None; ACTIVITY_COLUMNS.len()];
            for (i, (column, value)) in ACTIVITY_COLUMNS.iter().zip(values).enumerate() {
                // One draw per cell whatever the column, so missing cells stay put when
                // the set of protected columns changes.
                let gap = missing.uniform() < MISSING_SHARE;
                activity[i] = if gap && !column.always_present {
                    None
                } else {
                    Some(value)
                };
            }
            observations.push(Observation {
                structure: s,
                year: opts.first_year + t as i32,
                context,
                activity,
            });
        }
    }
    observations
}

/// Share of activity cells written `n.d.`.
const MISSING_SHARE: f64 = 0.005;

// ---------------------------------------------------------------------------------------
// The workbook.
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Unit {
    Count,
    Decimal,
    Fraction,
}

struct Column {
    label: &'static str,
    unit: Unit,
    always_present: bool,
}

const fn column(label: &'static str, unit: Unit) -> Column {
    Column {
        label,
        unit,
        always_present: false,
    }
}

/// Label of the id column (`code`) of the `Indicateurs` sheet, as in `rules/cpo/pack.toml`.
pub const LABEL_CODE: &str = "Code ML";
/// The id column of the `Contexte` sheet: an alias, as field workbooks do.
pub const LABEL_CONTEXT_CODE: &str = "Code structure";
/// Label of the name column (`nom`).
pub const LABEL_NAME: &str = "Nom de la mission locale";
/// Label of the region column (`region`).
pub const LABEL_REGION: &str = "Région";
/// Label of the year column (`annee`), present when the sample spans several years.
pub const LABEL_YEAR: &str = "Année";

/// The activity and result columns, in catalogue order.
const ACTIVITY_COLUMNS: [Column; 14] = [
    Column {
        always_present: true,
        ..column("Jeunes en premier accueil", Unit::Count)
    },
    column("Jeunes en contact", Unit::Count),
    Column {
        always_present: true,
        ..column("Jeunes accompagnés", Unit::Count)
    },
    column("Entretiens individuels", Unit::Count),
    column("Entrées en CIVIS", Unit::Count),
    column("Sorties de CIVIS", Unit::Count),
    column("Sorties de CIVIS en emploi durable", Unit::Count),
    column("Jeunes en emploi", Unit::Count),
    column("Jeunes en emploi durable", Unit::Count),
    column("Jeunes en formation", Unit::Count),
    column("Jeunes en alternance", Unit::Count),
    column("Offres d'emploi collectées", Unit::Count),
    column("Entreprises en relation", Unit::Count),
    column("ETP conseillers", Unit::Decimal),
];

/// The context columns, in catalogue order.
const CONTEXT_COLUMNS: [Column; 7] = [
    column("Population 16-25 ans", Unit::Count),
    column("Jeunes 16-25 ans actifs non occupés", Unit::Count),
    column("DEFM moins de 26 ans", Unit::Count),
    column("Taux de chômage des jeunes", Unit::Fraction),
    column("Part des jeunes sans diplôme", Unit::Fraction),
    column("Part des jeunes en QPV", Unit::Fraction),
    column("Densité de population", Unit::Count),
];

/// Labels of the activity columns, in the order written (for tests and documentation).
pub fn activity_labels() -> Vec<&'static str> {
    ACTIVITY_COLUMNS.iter().map(|c| c.label).collect()
}

/// Labels of the context columns, in the order written.
pub fn context_labels() -> Vec<&'static str> {
    CONTEXT_COLUMNS.iter().map(|c| c.label).collect()
}

struct Formats {
    title: Format,
    subtitle: Format,
    header: Format,
    text: Format,
    missing: Format,
    count: Format,
    decimal: Format,
    fraction: Format,
    year: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            subtitle: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x595959)),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border_bottom(FormatBorder::Thin),
            text: Format::new(),
            missing: Format::new().set_align(FormatAlign::Right),
            count: Format::new().set_num_format("#,##0"),
            decimal: Format::new().set_num_format("0.0"),
            fraction: Format::new().set_num_format("0.0%"),
            year: Format::new().set_num_format("0"),
        }
    }

    fn number(&self, unit: Unit) -> &Format {
        match unit {
            Unit::Count => &self.count,
            Unit::Decimal => &self.decimal,
            Unit::Fraction => &self.fraction,
        }
    }
}

fn period(opts: &SampleOptions) -> String {
    if opts.years == 1 {
        format!("année {}", opts.first_year)
    } else {
        format!(
            "années {} à {}",
            opts.first_year,
            opts.first_year + opts.years as i32 - 1
        )
    }
}

/// Title, subtitle and header row; returns the index of the first value column.
fn write_head(
    sheet: &mut Worksheet,
    formats: &Formats,
    title: &str,
    subtitle: &str,
    id_columns: &[(&str, f64)],
    value_columns: &[Column],
) -> std::result::Result<u16, XlsxError> {
    sheet.write_string_with_format(0, 0, title, &formats.title)?;
    sheet.write_string_with_format(1, 0, subtitle, &formats.subtitle)?;
    let mut col = 0u16;
    for (label, width) in id_columns {
        sheet.write_string_with_format(HEADER_ROW, col, *label, &formats.header)?;
        sheet.set_column_width(col, *width)?;
        col += 1;
    }
    let first_value = col;
    for column in value_columns {
        sheet.write_string_with_format(HEADER_ROW, col, column.label, &formats.header)?;
        sheet.set_column_width(col, 14)?;
        col += 1;
    }
    sheet.set_row_height(HEADER_ROW, 48)?;
    Ok(first_value)
}

fn write_workbook(
    opts: &SampleOptions,
    structures: &[Structure],
    observations: &[Observation],
) -> std::result::Result<Vec<u8>, XlsxError> {
    let formats = Formats::new();
    let long = opts.years > 1;
    let subtitle = format!(
        "Données fictives générées par « boussole sample » (graine {}) : {} missions locales, ordres de grandeur réalistes, à ne pas utiliser comme données réelles.",
        opts.seed,
        structures.len()
    );
    let last_row = HEADER_ROW + observations.len() as u32;
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd((opts.first_year + opts.years as i32) as u16, 1, 1)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title("Indicateurs CPO des missions locales (données synthétiques)")
            .set_author("boussole")
            .set_comment(format!(
                "boussole sample --structures {} --years {} --seed {} --first-year {}",
                opts.structures, opts.years, opts.seed, opts.first_year
            ))
            .set_creation_datetime(&created),
    );

    // Indicateurs.
    let sheet = workbook.add_worksheet();
    sheet.set_name("Indicateurs")?;
    let mut ids = vec![(LABEL_CODE, 10.0), (LABEL_NAME, 46.0), (LABEL_REGION, 27.0)];
    if long {
        ids.push((LABEL_YEAR, 8.0));
    }
    let title = format!(
        "Indicateurs CPO des missions locales — {} (données synthétiques)",
        period(opts)
    );
    let first = write_head(sheet, &formats, &title, &subtitle, &ids, &ACTIVITY_COLUMNS)?;
    for (i, obs) in observations.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        let st = &structures[obs.structure];
        sheet.write_string_with_format(row, 0, &st.code, &formats.text)?;
        sheet.write_string_with_format(row, 1, &st.name, &formats.text)?;
        sheet.write_string_with_format(row, 2, REGIONS[st.region].name, &formats.text)?;
        if long {
            sheet.write_number_with_format(row, 3, obs.year, &formats.year)?;
        }
        for (k, (column, value)) in ACTIVITY_COLUMNS.iter().zip(&obs.activity).enumerate() {
            let col = first + k as u16;
            match value {
                Some(v) => {
                    sheet.write_number_with_format(row, col, *v, formats.number(column.unit))?
                }
                None => sheet.write_string_with_format(row, col, "n.d.", &formats.missing)?,
            };
        }
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 2)?;
    sheet.autofilter(
        HEADER_ROW,
        0,
        last_row,
        first + ACTIVITY_COLUMNS.len() as u16 - 1,
    )?;

    // Contexte.
    let sheet = workbook.add_worksheet();
    sheet.set_name("Contexte")?;
    let mut ids = vec![(LABEL_CONTEXT_CODE, 12.0)];
    if long {
        ids.push((LABEL_YEAR, 8.0));
    }
    let title = format!(
        "Contexte territorial des missions locales — {} (données synthétiques)",
        period(opts)
    );
    let first = write_head(sheet, &formats, &title, &subtitle, &ids, &CONTEXT_COLUMNS)?;
    for (i, obs) in observations.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        sheet.write_string_with_format(row, 0, &structures[obs.structure].code, &formats.text)?;
        if long {
            sheet.write_number_with_format(row, 1, obs.year, &formats.year)?;
        }
        let c = &obs.context;
        let values = [
            c.population as f64,
            c.unemployed_young as f64,
            c.defm as f64,
            c.unemployment,
            c.no_diploma,
            c.qpv,
            c.density,
        ];
        for (k, (column, value)) in CONTEXT_COLUMNS.iter().zip(values).enumerate() {
            sheet.write_number_with_format(
                row,
                first + k as u16,
                value,
                formats.number(column.unit),
            )?;
        }
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 1)?;
    sheet.autofilter(
        HEADER_ROW,
        0,
        last_row,
        first + CONTEXT_COLUMNS.len() as u16 - 1,
    )?;

    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_exp_and_ln_match_std() {
        for &x in &[-20.0, -3.3, -0.5, 0.0, 1e-9, 0.3, 1.0, 2.7, 11.0, 50.0] {
            let (ours, std) = (exp(x), f64::exp(x));
            assert!(
                ((ours - std) / std).abs() < 1e-14,
                "exp({x}): {ours} vs {std}"
            );
        }
        for &x in &[1e-6, 0.01, 0.5, 1.0, 1.5, 2.0, 3.0, 50.0, 12_000.0, 1e9] {
            let (ours, std) = (ln(x), f64::ln(x));
            assert!((ours - std).abs() < 1e-13, "ln({x}): {ours} vs {std}");
        }
    }

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

    #[test]
    fn ten_thousand_structures_have_unique_codes() {
        let opts = SampleOptions {
            structures: 10_000,
            ..SampleOptions::default()
        };
        let structures = generate_structures(&opts);
        assert_eq!(structures.len(), 10_000);
        let mut codes: Vec<&str> = structures.iter().map(|s| s.code.as_str()).collect();
        codes.dedup();
        assert_eq!(codes.len(), 10_000, "sorted codes are unique");
        let bytes = sample_workbook(&opts).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }

    #[test]
    fn codes_grow_a_digit_beyond_the_department_capacity() {
        let opts = SampleOptions {
            structures: 20_000,
            ..SampleOptions::default()
        };
        let structures = generate_structures(&opts);
        let mut codes: Vec<&str> = structures.iter().map(|s| s.code.as_str()).collect();
        // La Réunion gets about 180 structures: more than 97401..97499 allow.
        assert!(codes.contains(&"974100"));
        assert!(codes.iter().all(|c| c.len() == 5 || c.starts_with("97")));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 20_000);
    }

    #[test]
    fn three_years_give_one_row_per_structure_and_year() {
        let opts = SampleOptions {
            structures: 50,
            years: 3,
            ..SampleOptions::default()
        };
        let structures = generate_structures(&opts);
        let observations = generate_observations(&opts, &structures);
        assert_eq!(observations.len(), 150);
        assert_eq!(observations[0].year, 2010);
        assert_eq!(observations[2].year, 2012);
        assert_eq!(observations[2].structure, 0);
        assert!(sample_workbook(&opts).is_ok());
    }

    #[test]
    fn out_of_range_options_are_refused_in_french() {
        for opts in [
            SampleOptions {
                structures: 0,
                ..SampleOptions::default()
            },
            SampleOptions {
                years: 21,
                ..SampleOptions::default()
            },
            SampleOptions {
                structures: 1_000_000,
                years: 2,
                ..SampleOptions::default()
            },
        ] {
            let err = sample_workbook(&opts).unwrap_err();
            assert!(matches!(err, Error::Input(_)), "{err}");
        }
    }
}
