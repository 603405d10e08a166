//! The demo's cast: its specialties, its doctors (with their shifts, fees and bios) and its
//! patients (with their opening wallet balances).

pub(super) struct DemoSpecialty {
    pub(super) name: &'static str,
    pub(super) description: &'static str,
}

pub(super) const SPECIALTIES: &[DemoSpecialty] = &[
    DemoSpecialty {
        name: "Cardiology",
        description: "Heart and blood vessels: chest pain, blood pressure, palpitations and check-ups after a heart event.",
    },
    DemoSpecialty {
        name: "Dermatology",
        description: "Skin, hair and nails: rashes, acne, moles and eczema.",
    },
    DemoSpecialty {
        name: "General Practice",
        description: "Your first stop for everyday health questions, prescriptions and referrals.",
    },
    DemoSpecialty {
        name: "Neurology",
        description: "Brain and nerves: headaches, dizziness, numbness and memory concerns.",
    },
    DemoSpecialty {
        name: "Ophthalmology",
        description: "Eyes and vision: sight tests, infections, glaucoma and cataract advice.",
    },
    DemoSpecialty {
        name: "Orthopedics",
        description: "Bones, joints and muscles: sports injuries, back pain and arthritis.",
    },
    DemoSpecialty {
        name: "Pediatrics",
        description: "Care for babies, children and teenagers, from vaccinations to growing pains.",
    },
    DemoSpecialty {
        name: "Psychiatry",
        description: "Mental health: anxiety, depression, sleep and stress, with therapy and medication.",
    },
];

/// Which part of the day a doctor works.
#[derive(Clone, Copy)]
pub(super) enum Shift {
    Mornings,
    Afternoons,
    FullDays,
}

pub(super) struct DemoDoctor {
    pub(super) first: &'static str,
    pub(super) last: &'static str,
    pub(super) specialty: &'static str,
    pub(super) years: i32,
    pub(super) fee: i64,
    pub(super) shift: Shift,
    pub(super) bio: &'static str,
}

pub(super) const DOCTORS: &[DemoDoctor] = &[
    DemoDoctor {
        first: "Amelia",
        last: "Hart",
        specialty: "Cardiology",
        years: 15,
        fee: 120,
        shift: Shift::Mornings,
        bio: "Consultant cardiologist focused on preventing heart disease. Explains test results in plain words and agrees a plan you can keep.",
    },
    DemoDoctor {
        first: "Rafael",
        last: "Ortiz",
        specialty: "Cardiology",
        years: 8,
        fee: 95,
        shift: Shift::Afternoons,
        bio: "Cardiologist with a special interest in heart rhythm problems and sports cardiology.",
    },
    DemoDoctor {
        first: "Priya",
        last: "Nair",
        specialty: "Dermatology",
        years: 11,
        fee: 85,
        shift: Shift::FullDays,
        bio: "Dermatologist treating acne, eczema and psoriasis, and checking moles with dermoscopy.",
    },
    DemoDoctor {
        first: "Tom",
        last: "Becker",
        specialty: "Dermatology",
        years: 4,
        fee: 60,
        shift: Shift::Afternoons,
        bio: "Dermatologist who sees children and adults for rashes, allergies and skin infections.",
    },
    DemoDoctor {
        first: "Sofia",
        last: "Rossi",
        specialty: "Pediatrics",
        years: 12,
        fee: 70,
        shift: Shift::Mornings,
        bio: "Paediatrician and mother of three; vaccinations, development checks and the worries of new parents.",
    },
    DemoDoctor {
        first: "Kwame",
        last: "Mensah",
        specialty: "Pediatrics",
        years: 6,
        fee: 65,
        shift: Shift::Afternoons,
        bio: "Paediatrician with a background in childhood asthma and allergies.",
    },
    DemoDoctor {
        first: "Hannah",
        last: "Weiss",
        specialty: "Neurology",
        years: 19,
        fee: 140,
        shift: Shift::Mornings,
        bio: "Neurologist for migraine, epilepsy and nerve pain; runs the clinic's headache service.",
    },
    DemoDoctor {
        first: "Daniel",
        last: "Kim",
        specialty: "Orthopedics",
        years: 10,
        fee: 110,
        shift: Shift::FullDays,
        bio: "Orthopaedic specialist for knees, shoulders and sports injuries, from first assessment to rehabilitation.",
    },
    DemoDoctor {
        first: "Laura",
        last: "Chen",
        specialty: "General Practice",
        years: 7,
        fee: 50,
        shift: Shift::FullDays,
        bio: "Family doctor for everyday illnesses, long-term conditions and health checks.",
    },
    DemoDoctor {
        first: "Omar",
        last: "Haddad",
        specialty: "General Practice",
        years: 22,
        fee: 55,
        shift: Shift::Mornings,
        bio: "Experienced general practitioner with an interest in diabetes and travel medicine.",
    },
    DemoDoctor {
        first: "Ingrid",
        last: "Larsen",
        specialty: "Psychiatry",
        years: 14,
        fee: 130,
        shift: Shift::Afternoons,
        bio: "Psychiatrist offering assessment and treatment for anxiety, depression and sleep problems.",
    },
    DemoDoctor {
        first: "Mateo",
        last: "Silva",
        specialty: "Ophthalmology",
        years: 9,
        fee: 90,
        shift: Shift::Mornings,
        bio: "Eye specialist for sight problems, dry eyes and glaucoma monitoring.",
    },
];

pub(super) struct DemoPatient {
    pub(super) username: &'static str,
    pub(super) first: &'static str,
    pub(super) last: &'static str,
    pub(super) phone: &'static str,
    pub(super) balance: i64,
}

pub(super) const PATIENTS: &[DemoPatient] = &[
    DemoPatient {
        username: "ann",
        first: "Ann",
        last: "Lee",
        phone: "+442079460001",
        balance: 250,
    },
    DemoPatient {
        username: "ben",
        first: "Ben",
        last: "Carter",
        phone: "+442079460002",
        balance: 80,
    },
    DemoPatient {
        username: "chloe",
        first: "Chloe",
        last: "Martin",
        phone: "+442079460003",
        balance: 500,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_doctor_has_a_demo_specialty() {
        for doctor in DOCTORS {
            assert!(
                SPECIALTIES.iter().any(|s| s.name == doctor.specialty),
                "{}",
                doctor.specialty
            );
        }
    }
}
