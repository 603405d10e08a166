//! The fifty specialties of the generated data set, with how common doctors of each are.

pub(in crate::tools::scale) struct Specialty {
    pub(in crate::tools::scale) name: &'static str,
    pub(in crate::tools::scale) description: &'static str,
    /// How common doctors of this specialty are, relative to the others.
    pub(in crate::tools::scale) weight: u32,
}

const fn specialty(name: &'static str, weight: u32, description: &'static str) -> Specialty {
    Specialty {
        name,
        description,
        weight,
    }
}

pub(in crate::tools::scale) const SPECIALTIES: &[Specialty] = &[
    specialty(
        "Allergy and Immunology",
        2,
        "Hay fever, food and drug allergies, asthma triggers and immune problems.",
    ),
    specialty(
        "Audiology",
        1,
        "Hearing tests, tinnitus and fitting and adjusting hearing aids.",
    ),
    specialty(
        "Cardiology",
        3,
        "Heart and blood vessels: chest pain, blood pressure, palpitations and heart checks.",
    ),
    specialty(
        "Cardiothoracic Surgery",
        1,
        "Surgery of the heart, lungs and chest, with assessment before and care after.",
    ),
    specialty(
        "Child and Adolescent Psychiatry",
        1,
        "Mental health of children and teenagers: anxiety, attention, mood and eating.",
    ),
    specialty(
        "Clinical Genetics",
        1,
        "Inherited conditions, family history and genetic testing explained.",
    ),
    specialty(
        "Colorectal Surgery",
        1,
        "Bowel, rectum and anus: piles, fissures, polyps and surgery when needed.",
    ),
    specialty(
        "Dentistry",
        3,
        "Check-ups, toothache, fillings, gum care and advice on keeping teeth healthy.",
    ),
    specialty(
        "Dermatology",
        3,
        "Skin, hair and nails: rashes, acne, moles and eczema.",
    ),
    specialty(
        "Diabetology",
        2,
        "Type 1 and type 2 diabetes: medication, monitoring and avoiding complications.",
    ),
    specialty(
        "Dietetics and Nutrition",
        2,
        "Eating plans for weight, allergies, digestion and long-term conditions.",
    ),
    specialty(
        "Endocrinology",
        2,
        "Hormones and glands: thyroid, adrenal, pituitary and metabolic problems.",
    ),
    specialty(
        "Gastroenterology",
        2,
        "Stomach, bowel and digestion: reflux, IBS, coeliac disease and colitis.",
    ),
    specialty(
        "General Practice",
        6,
        "Your first stop for everyday health questions, prescriptions and referrals.",
    ),
    specialty(
        "General Surgery",
        2,
        "Hernias, gallbladder, lumps and bumps: whether surgery helps, and the operation.",
    ),
    specialty(
        "Geriatrics",
        2,
        "Health in later life: falls, memory, many medicines and staying independent.",
    ),
    specialty(
        "Gynecology",
        3,
        "Periods, menopause, contraception, pelvic pain and screening.",
    ),
    specialty(
        "Hematology",
        1,
        "Blood disorders: anaemia, clotting, bleeding and abnormal blood counts.",
    ),
    specialty(
        "Hepatology",
        1,
        "Liver health: fatty liver, hepatitis and abnormal liver tests.",
    ),
    specialty(
        "Infectious Diseases",
        1,
        "Persistent or unusual infections, fevers after travel and antibiotic advice.",
    ),
    specialty(
        "Internal Medicine",
        3,
        "Adults with several or unclear conditions, assessed and treated as a whole.",
    ),
    specialty(
        "Nephrology",
        1,
        "Kidney health: kidney function, stones, protein in urine and blood pressure.",
    ),
    specialty(
        "Neurology",
        2,
        "Brain and nerves: headaches, dizziness, numbness and memory concerns.",
    ),
    specialty(
        "Neurosurgery",
        1,
        "Surgery of the brain, spine and nerves, from consultation to follow-up.",
    ),
    specialty(
        "Obstetrics",
        2,
        "Pregnancy care from planning to birth, and the weeks after.",
    ),
    specialty(
        "Occupational Medicine",
        1,
        "Health at work: fitness for duty, workplace injuries and returning to work.",
    ),
    specialty(
        "Oncology",
        2,
        "Cancer diagnosis and treatment planning, second opinions and follow-up.",
    ),
    specialty(
        "Ophthalmology",
        2,
        "Eyes and vision: sight tests, infections, glaucoma and cataract advice.",
    ),
    specialty(
        "Oral and Maxillofacial Surgery",
        1,
        "Wisdom teeth, jaw problems and surgery of the mouth and face.",
    ),
    specialty(
        "Orthopedics",
        3,
        "Bones, joints and muscles: sports injuries, back pain and arthritis.",
    ),
    specialty(
        "Otolaryngology",
        2,
        "Ear, nose and throat: sinus trouble, tonsils, hearing loss and voice problems.",
    ),
    specialty(
        "Pain Medicine",
        1,
        "Long-lasting pain managed with medicine, injections and self-help plans.",
    ),
    specialty(
        "Palliative Care",
        1,
        "Comfort and support for serious illness, for patients and their families.",
    ),
    specialty(
        "Pediatrics",
        4,
        "Care for babies, children and teenagers, from vaccinations to growing pains.",
    ),
    specialty(
        "Physiotherapy",
        3,
        "Exercise and hands-on treatment to recover movement after injury or surgery.",
    ),
    specialty(
        "Plastic Surgery",
        1,
        "Reconstruction after injury or illness, scars, and cosmetic procedures.",
    ),
    specialty(
        "Podiatry",
        1,
        "Feet and ankles: heel pain, nail problems, diabetic foot care and insoles.",
    ),
    specialty(
        "Psychiatry",
        3,
        "Mental health: anxiety, depression, sleep and stress, with therapy and medication.",
    ),
    specialty(
        "Psychology",
        3,
        "Talking therapies for anxiety, low mood, trauma and relationship difficulties.",
    ),
    specialty(
        "Pulmonology",
        2,
        "Lungs and breathing: asthma, COPD, persistent cough and breathlessness.",
    ),
    specialty(
        "Radiology",
        1,
        "Imaging explained: which scan you need and what the results mean.",
    ),
    specialty(
        "Rehabilitation Medicine",
        1,
        "Regaining function after stroke, injury or long illness.",
    ),
    specialty(
        "Reproductive Medicine",
        1,
        "Fertility assessment and treatment for individuals and couples.",
    ),
    specialty(
        "Rheumatology",
        2,
        "Joint and autoimmune conditions: arthritis, lupus, gout and stiffness.",
    ),
    specialty(
        "Sleep Medicine",
        1,
        "Insomnia, snoring, sleep apnoea and daytime sleepiness.",
    ),
    specialty(
        "Speech and Language Therapy",
        1,
        "Speech, language, voice and swallowing, for children and adults.",
    ),
    specialty(
        "Sports Medicine",
        2,
        "Sports injuries, safe training and getting back to activity.",
    ),
    specialty(
        "Travel Medicine",
        1,
        "Vaccines, malaria tablets and health advice before you travel.",
    ),
    specialty(
        "Urology",
        2,
        "Kidneys, bladder and prostate: urinary problems, stones and men's health.",
    ),
    specialty(
        "Vascular Surgery",
        1,
        "Arteries and veins: varicose veins, poor circulation and aneurysms.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_fifty_distinct_specialties() {
        assert_eq!(SPECIALTIES.len(), 50);
        let names: std::collections::HashSet<String> =
            SPECIALTIES.iter().map(|s| s.name.to_lowercase()).collect();
        assert_eq!(names.len(), 50);
    }
}
